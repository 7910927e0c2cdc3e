import { isIPv6 } from 'node:net';
import type { Db } from '../db';
import { normalizeEmail } from './users';

export interface ThrottleLimits {
  /** Attempts allowed per window for one account from one address. */
  perPair: number;
  /** Attempts allowed per window from one address, whatever the accounts (a spray of emails). */
  perAddress: number;
  /** Attempts allowed per window at one account, whatever the addresses (guessing spread out). */
  perAccount: number;
  windowMs: number;
}

/**
 * Five guesses at an account from one place per quarter of an hour; a household behind one
 * address still signs in to four accounts with a typo each; guessing from many addresses at once
 * locks one account for the rest of the window only after twenty.
 */
export const DEFAULT_THROTTLE: ThrottleLimits = {
  perPair: 5,
  perAddress: 20,
  perAccount: 20,
  windowMs: 15 * 60 * 1000,
};

/** Expired windows are deleted at most this often per process. */
const SWEEP_EVERY_MS = 5 * 60 * 1000;

/** One sign-in, counted: whether it may go on, and the keys to give back if it succeeds. */
export type Admission =
  | { allowed: true; keys: { pair: string; address: string; account: string } }
  | { allowed: false; retryAfterMs: number };

/**
 * The part of an address one client controls: an IPv6 host usually has a whole /64 to pick
 * addresses from, so an address counts by its first 64 bits; an IPv4-mapped one as the IPv4.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Counts sign-in attempts in the database, so that every server process sees the same counts.
 * An attempt is counted before its password is checked, in one atomic statement per key, and
 * refused when any count is over its limit: a burst of parallel guesses cannot all pass the check
 * before the first failure is recorded (issue 18, finding 1). An attempt that succeeds is given
 * back, and its account and address pair forgiven. Windows are fixed, from the first attempt.
 */
export class LoginThrottle {
  #lastSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
  ) {}

  async admit(email: string, ip: string): Promise<Admission> {
    const account = normalizeEmail(email);
    const address = addressKey(ip);
    const keys = {
      pair: `pair:${account}\n${address}`,
      address: `address:${address}`,
      account: `account:${account}`,
    };
    const now = this.now();
    const nowIso = now.toISOString();
    const edge = new Date(now.getTime() - this.limits.windowMs).toISOString();
    await this.#sweep(now, edge);
    const rows = await this.db
      .insertInto('login_attempts')
      .values(Object.values(keys).map((key) => ({ key, window_start: nowIso, attempts: 1 })))
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet((eb) => {
          const expired = eb('login_attempts.window_start', '<=', edge);
          return {
            attempts: eb
              .case()
              .when(expired)
              .then(1)
              .else(eb('login_attempts.attempts', '+', 1))
              .end(),
            window_start: eb
              .case()
              .when(expired)
              .then(eb.ref('excluded.window_start'))
              .else(eb.ref('login_attempts.window_start'))
              .end(),
          };
        }),
      )
      .returning(['key', 'attempts', 'window_start'])
      .execute();
    const limitOf = (key: string): number =>
      key === keys.pair
        ? this.limits.perPair
        : key === keys.address
          ? this.limits.perAddress
          : this.limits.perAccount;
    const over = rows.filter((row) => Number(row.attempts) > limitOf(row.key));
    if (over.length === 0) return { allowed: true, keys };
    const until = Math.max(...over.map((row) => Date.parse(row.window_start) + this.limits.windowMs));
    return { allowed: false, retryAfterMs: Math.max(until - now.getTime(), 1000) };
  }

  /** A sign-in that succeeded: it does not count, and neither do the pair's earlier typos. */
  async succeeded(admission: Extract<Admission, { allowed: true }>): Promise<void> {
    const { pair, address, account } = admission.keys;
    await this.db.deleteFrom('login_attempts').where('key', '=', pair).execute();
    await this.db
      .updateTable('login_attempts')
      .set((eb) => ({ attempts: eb('attempts', '-', 1) }))
      .where('key', 'in', [address, account])
      .where('attempts', '>', 0)
      .execute();
  }

  async #sweep(now: Date, edge: string): Promise<void> {
    if (now.getTime() - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now.getTime();
    await this.db.deleteFrom('login_attempts').where('window_start', '<=', edge).execute();
  }
}
