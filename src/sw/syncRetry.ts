import type { DrainResult } from '../queue/drain/drain';

/**
 * Within one `sync` event, a transient failure whose item is due again this soon is waited for
 * and tried again, instead of being left to Chromium's next attempt (five minutes later at the
 * earliest). The first failures after the connection comes back, or during a short server blip,
 * are usually gone within seconds; the queue's own backoff (1–2 s, then doubling) spaces the tries.
 */
export const SYNC_RETRY_WAIT_MS = 30_000;

export interface SyncRetryOptions {
  /** One drain, with what is left of the event's budgets. */
  drain: (stopStartingMs: number, abortMs: number) => Promise<DrainResult>;
  stopStartingMs: number;
  abortMs: number;
  /** Whether to leave the rest to a page that has become visible meanwhile. */
  pageOpen: () => Promise<boolean>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Drains, and drains again after a transient failure whose retry is due soon enough to wait for
 * within the event's budget. Answers the last drain's result, or null when a page took over.
 */
export async function drainWithRetries(options: SyncRetryOptions): Promise<DrainResult | null> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  for (;;) {
    if (await options.pageOpen()) return null;
    const elapsed = now() - started;
    const result = await options.drain(options.stopStartingMs - elapsed, options.abortMs - elapsed);
    if (result.stop !== 'transient' || result.nextAttemptAt === null) return result;
    const wait = Math.max(0, result.nextAttemptAt - now());
    if (wait > SYNC_RETRY_WAIT_MS || now() + wait - started >= options.stopStartingMs) return result;
    await sleep(wait);
  }
}
