import { describe, expect, it } from 'vitest';
import type { DrainResult } from '../queue/drain/drain';
import { SYNC_RETRY_WAIT_MS, drainWithRetries } from './syncRetry';

/** A clock that only the fake sleep moves, and drains that answer in turn. */
function harness(results: ((now: number) => DrainResult)[], pageOpenAfter = Infinity) {
  let now = 1_000_000;
  const budgets: [number, number][] = [];
  const slept: number[] = [];
  let drains = 0;
  const run = drainWithRetries({
    drain: (stopStartingMs, abortMs) => {
      budgets.push([stopStartingMs, abortMs]);
      const next = results[drains] ?? results.at(-1)!;
      drains += 1;
      return Promise.resolve(next(now));
    },
    stopStartingMs: 120_000,
    abortMs: 150_000,
    pageOpen: () => Promise.resolve(drains >= pageOpenAfter),
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  });
  return { run, budgets, slept, drains: () => drains };
}

const transientIn =
  (ms: number) =>
  (now: number): DrainResult => ({ stop: 'transient', nextAttemptAt: now + ms });
const finished = (): DrainResult => ({ stop: 'finished', nextAttemptAt: null });

describe('drainWithRetries', () => {
  it('waits for a retry due in seconds and drains again, with what is left of the budgets', async () => {
    const { run, budgets, slept } = harness([transientIn(1_500), transientIn(3_000), finished]);
    expect(await run).toEqual({ stop: 'finished', nextAttemptAt: null });
    expect(slept).toEqual([1_500, 3_000]);
    expect(budgets).toEqual([
      [120_000, 150_000],
      [118_500, 148_500],
      [115_500, 145_500],
    ]);
  });

  it('gives a retry due later than it waits for back to Background Sync', async () => {
    const { run, slept, drains } = harness([transientIn(SYNC_RETRY_WAIT_MS + 1)]);
    expect(await run).toMatchObject({ stop: 'transient' });
    expect(slept).toEqual([]);
    expect(drains()).toBe(1);
  });

  it('never waits past the time to stop starting uploads', async () => {
    // Retries every 20 s: the sixth would start at 120 s, when no upload may start any more.
    const { run, slept } = harness([transientIn(20_000)]);
    expect(await run).toMatchObject({ stop: 'transient' });
    expect(slept).toEqual([20_000, 20_000, 20_000, 20_000, 20_000]);
  });

  it('returns other outcomes at once', async () => {
    for (const stop of ['finished', 'offline', 'deadline', 'held', 'signed-out', 'aborted'] as const) {
      const { run, drains } = harness([() => ({ stop, nextAttemptAt: null })]);
      expect(await run).toMatchObject({ stop });
      expect(drains()).toBe(1);
    }
  });

  it('leaves the work to a page that became visible while it waited', async () => {
    const { run, drains } = harness([transientIn(1_000)], 1);
    expect(await run).toBeNull();
    expect(drains()).toBe(1);
  });
});
