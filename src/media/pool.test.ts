import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../shared/limits';
import type { PrepareInput, PrepareResult } from '../queue/preparer';
import { createPreparePool } from './pool';
import type { PoolWorker } from './pool';
import type { PrepareRequest, PrepareResponse } from './prepareProtocol';

/** A worker that answers only when the test says so, recording what it was asked. */
class FakeWorker implements PoolWorker {
  static all: FakeWorker[] = [];
  onmessage: ((event: MessageEvent<PrepareResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  requests: PrepareRequest[] = [];
  terminated = false;

  constructor() {
    FakeWorker.all.push(this);
  }

  postMessage(message: PrepareRequest): void {
    // Structured clone would refuse a signal: the pool must keep it on its side.
    expect(message.input).not.toHaveProperty('signal');
    this.requests.push(message);
  }

  terminate(): void {
    this.terminated = true;
  }

  answer(result: PrepareResult): void {
    const request = this.requests.at(-1);
    if (request === undefined) throw new Error('nothing asked');
    this.onmessage?.({ data: { id: request.id, ok: true, result } } as MessageEvent<PrepareResponse>);
  }
}

const input = (name: string, signal?: AbortSignal): PrepareInput => ({
  blob: new Blob([name]),
  lastModified: null,
  limits: DEFAULT_LIMITS,
  quality: 'original',
  signal,
});

const skipped = (reason: string): PrepareResult => ({ kind: 'skipped', reason });

function fresh(): void {
  FakeWorker.all = [];
}

describe('createPreparePool', () => {
  it('runs up to `size` files at once and queues the rest', async () => {
    fresh();
    const pool = createPreparePool(2, () => new FakeWorker());
    const results = ['a', 'b', 'c'].map((name) => pool.prepare(input(name)));
    expect(FakeWorker.all).toHaveLength(2);
    const [first, second] = FakeWorker.all;
    first?.answer(skipped('one'));
    await expect(results[0]).resolves.toEqual(skipped('one'));
    // The freed worker takes the waiting file; no third worker starts.
    expect(FakeWorker.all).toHaveLength(2);
    expect(first?.requests).toHaveLength(2);
    first?.answer(skipped('three'));
    second?.answer(skipped('two'));
    await expect(Promise.all(results)).resolves.toEqual([skipped('one'), skipped('two'), skipped('three')]);
    pool.close();
    expect(FakeWorker.all.every((worker) => worker.terminated)).toBe(true);
  });

  it('passes a worker error on as a rejection with its name', async () => {
    fresh();
    const pool = createPreparePool(1, () => new FakeWorker());
    const result = pool.prepare(input('a'));
    const worker = FakeWorker.all[0];
    const id = worker?.requests[0]?.id ?? 0;
    worker?.onmessage?.({
      data: { id, ok: false, name: 'NotReadableError', message: 'gone' },
    } as MessageEvent<PrepareResponse>);
    await expect(result).rejects.toMatchObject({ name: 'NotReadableError', message: 'gone' });
    pool.close();
  });

  it('on abort terminates the worker, rejects with the reason and carries on with a new worker', async () => {
    fresh();
    const pool = createPreparePool(1, () => new FakeWorker());
    const controller = new AbortController();
    const aborted = pool.prepare(input('a', controller.signal));
    const waiting = pool.prepare(input('b'));
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(FakeWorker.all[0]?.terminated).toBe(true);
    expect(FakeWorker.all).toHaveLength(2);
    FakeWorker.all[1]?.answer(skipped('b'));
    await expect(waiting).resolves.toEqual(skipped('b'));
    pool.close();
  });

  it('rejects files still waiting when closed', async () => {
    fresh();
    const pool = createPreparePool(1, () => new FakeWorker());
    const running = pool.prepare(input('a'));
    const waiting = pool.prepare(input('b'));
    pool.close();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(pool.prepare(input('c'))).rejects.toMatchObject({ name: 'AbortError' });
  });
});
