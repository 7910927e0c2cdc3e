import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lock } from '@tus/utils';
import { ApiError } from '../errors';
import { ContinuationLocker } from './continuation-locker';

const URL_OF_UPLOAD = 'http://x/api/uploads/id';

const patch = (offset: number, length: number): Request =>
  new Request(URL_OF_UPLOAD, {
    method: 'PATCH',
    headers: { 'upload-offset': String(offset), 'content-length': String(length) },
  });
const head = (): Request => new Request(URL_OF_UPLOAD, { method: 'HEAD' });
const del = (): Request => new Request(URL_OF_UPLOAD, { method: 'DELETE' });

interface Attempt {
  name: string;
  lock: Lock;
  requestRelease: ReturnType<typeof vi.fn<() => void>>;
  controller: AbortController;
  /** The lock() promise, already observed so that a rejection is never unhandled. */
  done: Promise<void>;
  /** 'waiting' until lock() settles, then 'locked' or the error it rejected with. */
  state: () => 'waiting' | 'locked' | Error;
}

/** Wait until pending promise reactions (and a timer turn) have run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ContinuationLocker', () => {
  let locker: ContinuationLocker;
  /** The order in which attempts got their lock. */
  let granted: string[];

  const attempt = (name: string, request: Request, id = 'id'): Attempt => {
    const lock = locker.forRequest(request).newLock(id);
    const requestRelease = vi.fn<() => void>();
    const controller = new AbortController();
    let state: 'waiting' | 'locked' | Error = 'waiting';
    const done = lock.lock(controller.signal, requestRelease).then(
      () => {
        state = 'locked';
        granted.push(name);
      },
      (error: unknown) => {
        state = error instanceof Error ? error : new Error(String(error));
      },
    );
    return { name, lock, requestRelease, controller, done, state: () => state };
  };

  const fresh = (): void => {
    locker = new ContinuationLocker();
    granted = [];
  };

  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives a free upload’s lock at once, and forgets the upload after unlock', async () => {
    fresh();
    const first = attempt('first', patch(0, 8));
    await first.done;
    expect(first.state()).toBe('locked');
    expect(locker.size).toBe(1);
    // Another upload has its own line.
    const other = attempt('other', head(), 'other-id');
    await other.done;
    expect(other.state()).toBe('locked');
    expect(locker.size).toBe(2);
    expect(first.requestRelease).not.toHaveBeenCalled();

    await first.lock.unlock();
    await other.lock.unlock();
    expect(locker.size).toBe(0);
  });

  it('lets a chain of continuing PATCHes wait in order without asking the running one to stop', async () => {
    fresh();
    const one = attempt('one', patch(0, 8));
    await one.done;
    const two = attempt('two', patch(8, 8));
    const three = attempt('three', patch(16, 8));
    // Continues "three", the last in line, not the holder.
    const four = attempt('four', patch(24, 3));
    await settle();

    expect([two.state(), three.state(), four.state()]).toEqual(['waiting', 'waiting', 'waiting']);
    for (const turn of [one, two, three]) expect(turn.requestRelease).not.toHaveBeenCalled();
    expect(locker.size).toBe(1);

    await one.lock.unlock();
    await settle();
    expect(granted).toEqual(['one', 'two']);
    expect(three.state()).toBe('waiting');

    await two.lock.unlock();
    await settle();
    expect(granted).toEqual(['one', 'two', 'three']);

    await three.lock.unlock();
    await settle();
    expect(granted).toEqual(['one', 'two', 'three', 'four']);
    for (const turn of [one, two, three, four]) expect(turn.requestRelease).not.toHaveBeenCalled();

    await four.lock.unlock();
    expect(locker.size).toBe(0);
  });

  it('waits for a continuation past the takeover timeout (no timeout for continuations)', async () => {
    vi.useFakeTimers();
    fresh();
    const one = attempt('one', patch(0, 8));
    await one.done;
    const two = attempt('two', patch(8, 8));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(two.state()).toBe('waiting');
    await one.lock.unlock();
    await two.done;
    expect(two.state()).toBe('locked');
    await two.lock.unlock();
    expect(locker.size).toBe(0);
  });

  it.each([
    ['a HEAD', head],
    ['a DELETE', del],
    ['a PATCH at a wrong offset', () => patch(0, 8)],
    ['a PATCH that continues the holder, not the last in line', () => patch(8, 8)],
    [
      'a PATCH without Content-Length',
      () => new Request(URL_OF_UPLOAD, { method: 'PATCH', headers: { 'upload-offset': '24' } }),
    ],
  ])(
    'lets %s take over: the holder is asked to stop, waiting continuations get UPLOAD_CONFLICT',
    async (_name, request) => {
      fresh();
      const one = attempt('one', patch(0, 8));
      await one.done;
      const two = attempt('two', patch(8, 8));
      const three = attempt('three', patch(16, 8));
      await settle();
      expect(one.requestRelease).not.toHaveBeenCalled();

      const takeover = attempt('takeover', request());
      await settle();

      expect(one.requestRelease).toHaveBeenCalledTimes(1);
      for (const waiting of [two, three]) {
        const error = waiting.state();
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe('UPLOAD_CONFLICT');
        expect((error as ApiError).status).toBe(409);
        expect(waiting.requestRelease).not.toHaveBeenCalled();
      }
      // The takeover waits for the holder to let go.
      expect(takeover.state()).toBe('waiting');

      await one.lock.unlock();
      await settle();
      expect(granted).toEqual(['one', 'takeover']);
      // The turns that were refused never held the lock: their unlock changes nothing.
      await two.lock.unlock();
      await three.lock.unlock();
      expect(locker.size).toBe(1);

      await takeover.lock.unlock();
      expect(locker.size).toBe(0);
    },
  );

  it('takes over from a HEAD even with a PATCH that could follow it (a HEAD declares no end)', async () => {
    fresh();
    const probe = attempt('probe', head());
    await probe.done;
    const next = attempt('next', patch(0, 8));
    await settle();
    expect(probe.requestRelease).toHaveBeenCalledTimes(1);
    expect(next.state()).toBe('waiting');
    await probe.lock.unlock();
    await settle();
    expect(granted).toEqual(['probe', 'next']);
    await next.lock.unlock();
    expect(locker.size).toBe(0);
  });

  it('fails a takeover with a 500 after 30 s when the holder never lets go, and stays usable', async () => {
    vi.useFakeTimers();
    fresh();
    const one = attempt('one', patch(0, 8));
    await one.done;
    const takeover = attempt('takeover', head());
    await vi.advanceTimersByTimeAsync(29_000);
    expect(takeover.state()).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1_500);
    const error = takeover.state();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error & { status_code?: number }).status_code).toBe(500);
    expect(one.requestRelease).toHaveBeenCalledTimes(1);

    // The holder still holds; a continuation of it gets the lock after it.
    const two = attempt('two', patch(8, 8));
    await vi.advanceTimersByTimeAsync(0);
    await one.lock.unlock();
    await two.done;
    expect(granted).toEqual(['one', 'two']);
    await two.lock.unlock();
    expect(locker.size).toBe(0);
  });

  it('lets an aborted waiter leave the line with a 400; the next in line still gets the lock', async () => {
    fresh();
    const one = attempt('one', patch(0, 8));
    await one.done;
    const two = attempt('two', patch(8, 8));
    const three = attempt('three', patch(16, 8));
    await settle();

    two.controller.abort();
    await settle();
    const error = two.state();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error & { status_code?: number }).status_code).toBe(400);
    expect(three.state()).toBe('waiting');
    expect(one.requestRelease).not.toHaveBeenCalled();

    await one.lock.unlock();
    await settle();
    expect(granted).toEqual(['one', 'three']);
    // The one that left never held the lock.
    await two.lock.unlock();
    expect(locker.size).toBe(1);
    await three.lock.unlock();
    expect(locker.size).toBe(0);
  });

  it('refuses a request whose signal is already aborted, without touching the line', async () => {
    fresh();
    const lock = locker.forRequest(patch(0, 8)).newLock('id');
    const controller = new AbortController();
    controller.abort();
    await expect(lock.lock(controller.signal, () => undefined)).rejects.toMatchObject({ status_code: 400 });
    expect(locker.size).toBe(0);
  });

  // A holder that unlocks as soon as it is asked (in tus: its `finally { unlock }` already queued)
  // must hand the upload to the takeover: an earlier version asked before the takeover was in line,
  // so the line was deleted and the takeover waited 30 s for a lock nobody held.
  it('gives the lock to a takeover whose holder lets go as soon as it is asked', async () => {
    vi.useFakeTimers();
    fresh();
    const one = attempt('one', patch(0, 8));
    await one.done;
    one.requestRelease.mockImplementation(() => {
      void one.lock.unlock();
    });
    const takeover = attempt('takeover', head());
    const later = attempt('later', head());
    await vi.advanceTimersByTimeAsync(1_000);
    // One holder at a time: the takeover has the lock and the later HEAD waits for it.
    expect(granted).toEqual(['one', 'takeover']);
    expect(later.state()).toBe('waiting');
    await takeover.lock.unlock();
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toEqual(['one', 'takeover', 'later']);
    await later.lock.unlock();
    expect(locker.size).toBe(0);
  });
});
