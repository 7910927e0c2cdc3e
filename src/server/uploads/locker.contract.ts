import { randomUUID } from 'node:crypto';
import { ERRORS, type Locker } from '@tus/server';
import { describe, expect, it } from 'vitest';

/** A locker under test, built with this acquire timeout; `close` lets go of what it holds. */
export interface LockerUnderTest {
  locker: Locker;
  close: () => Promise<void>;
}

const never = (): AbortSignal => new AbortController().signal;
const settledWithin = async (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);

/**
 * What @tus/server expects of a Locker (its `Lock` interface in @tus/utils, and MemoryLocker, the
 * reference): every locker Shoebox uses passes these (issue 13, DESIGN §6), the in-process one and
 * the PostgreSQL one that several processes share. `make(timeoutMs)` builds a locker whose
 * `lock` gives up after `timeoutMs` of waiting.
 */
export function describeLockerContract(
  name: string,
  make: (timeoutMs: number) => Promise<LockerUnderTest>,
): void {
  describe(`Locker contract: ${name}`, () => {
    const withLocker = async (timeoutMs: number, test: (locker: Locker) => Promise<void>): Promise<void> => {
      const { locker, close } = await make(timeoutMs);
      try {
        await test(locker);
      } finally {
        await close();
      }
    };

    it('locks a free upload at once, and after unlock it can be locked again', async () => {
      await withLocker(1000, async (locker) => {
        const id = randomUUID();
        const first = locker.newLock(id);
        await first.lock(never(), () => undefined);
        await first.unlock();
        const second = locker.newLock(id);
        expect(
          await settledWithin(
            second.lock(never(), () => undefined),
            500,
          ),
        ).toBe(true);
        await second.unlock();
      });
    });

    it('keeps the locks of different uploads apart', async () => {
      await withLocker(1000, async (locker) => {
        const a = locker.newLock(randomUUID());
        const b = locker.newLock(randomUUID());
        const released: string[] = [];
        await a.lock(never(), () => void released.push('a'));
        await b.lock(never(), () => void released.push('b'));
        expect(released).toEqual([]);
        await a.unlock();
        await b.unlock();
      });
    });

    it('lets a second request take over: the holder is asked to let go, and the lock passes on its unlock', async () => {
      await withLocker(5000, async (locker) => {
        const id = randomUUID();
        const holder = locker.newLock(id);
        let asked = 0;
        await holder.lock(never(), () => {
          asked += 1;
        });
        const next = locker.newLock(id);
        let nextHeld = false;
        const taking = next.lock(never(), () => undefined).then(() => (nextHeld = true));
        await expect.poll(() => asked, { timeout: 2000, interval: 20 }).toBeGreaterThan(0);
        // Asked, but the lock is the holder's until it unlocks.
        expect(nextHeld).toBe(false);
        await holder.unlock();
        await taking;
        expect(nextHeld).toBe(true);
        await next.unlock();
      });
    });

    it('gives up with ERR_LOCK_TIMEOUT when the holder never lets go', async () => {
      await withLocker(300, async (locker) => {
        const id = randomUUID();
        const holder = locker.newLock(id);
        await holder.lock(never(), () => undefined);
        const started = Date.now();
        // tus answers what its handler throws by its status_code and body.
        await expect(locker.newLock(id).lock(never(), () => undefined)).rejects.toMatchObject({
          status_code: ERRORS.ERR_LOCK_TIMEOUT.status_code,
          body: ERRORS.ERR_LOCK_TIMEOUT.body,
        });
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        // The holder still holds it, and lets go normally.
        await holder.unlock();
        const after = locker.newLock(id);
        await after.lock(never(), () => undefined);
        await after.unlock();
      });
    });

    it('stops waiting when the request is cancelled, and the holder keeps the lock', async () => {
      await withLocker(10_000, async (locker) => {
        const id = randomUUID();
        const holder = locker.newLock(id);
        await holder.lock(never(), () => undefined);
        const cancel = new AbortController();
        const waiting = locker.newLock(id).lock(cancel.signal, () => undefined);
        cancel.abort();
        const started = Date.now();
        await expect(waiting).rejects.toBeDefined();
        expect(Date.now() - started).toBeLessThan(5000);
        await holder.unlock();
      });
    });

    it('refuses to unlock what was never locked', async () => {
      await withLocker(1000, async (locker) => {
        await expect(locker.newLock(randomUUID()).unlock()).rejects.toThrow();
      });
    });
  });
}
