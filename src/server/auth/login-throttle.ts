export interface ThrottleOptions {
  /** Failed attempts allowed per key within the window. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxFailures: 5, windowMs: 15 * 60 * 1000 };

/** Beyond this many keys, expired entries are swept before adding another. */
const SWEEP_THRESHOLD = 10_000;

/**
 * Counts failed logins per key (email and client address) in memory. After `maxFailures`
 * failures the key is blocked until the window that began with its first failure ends.
 * In memory on purpose: one process in the default setup, and a restart only forgives.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, { count: number; since: number }>();

  constructor(
    readonly options: ThrottleOptions = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  static key(email: string, ip: string): string {
    return `${email.trim().toLowerCase()}\n${ip}`;
  }

  isBlocked(key: string): boolean {
    const entry = this.#current(key);
    return entry !== undefined && entry.count >= this.options.maxFailures;
  }

  recordFailure(key: string): void {
    const entry = this.#current(key);
    if (entry !== undefined) {
      entry.count += 1;
      return;
    }
    if (this.#failures.size >= SWEEP_THRESHOLD) this.#sweep();
    this.#failures.set(key, { count: 1, since: this.now() });
  }

  reset(key: string): void {
    this.#failures.delete(key);
  }

  #current(key: string): { count: number; since: number } | undefined {
    const entry = this.#failures.get(key);
    if (entry === undefined) return undefined;
    if (this.now() - entry.since >= this.options.windowMs) {
      this.#failures.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.#failures) {
      if (now - entry.since >= this.options.windowMs) this.#failures.delete(key);
    }
  }
}
