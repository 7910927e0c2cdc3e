import type { PrepareInput, PrepareResult, Preparer } from '../queue/preparer';
import type { PrepareRequest, PrepareResponse } from './prepareProtocol';

/** The part of a Worker the pool uses, so tests can give it a fake. */
export interface PoolWorker {
  postMessage(message: PrepareRequest): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<PrepareResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export interface PreparePool {
  /** Prepares a file in a worker; resolves like prepareFile, rejects with the signal's reason on abort. */
  prepare: Preparer;
  /** How many files it prepares at once: callers hand it that many to keep every worker busy. */
  readonly size: number;
  /** Terminates every worker; files still waiting reject with an AbortError. */
  close(): void;
}

function spawnPrepareWorker(): PoolWorker {
  // Vite bundles the worker from this exact `new Worker(new URL(…, import.meta.url))` form.
  return new Worker(new URL('./prepare.worker.ts', import.meta.url), {
    type: 'module',
    name: 'shoebox-prepare',
  });
}

interface Job {
  id: number;
  input: PrepareInput;
  resolve: (result: PrepareResult) => void;
  reject: (reason: unknown) => void;
  onAbort: () => void;
}

/** The signal's reason, as the Error that `signal.throwIfAborted()` would throw. */
function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted.', 'AbortError');
}

function errorFrom(response: Extract<PrepareResponse, { ok: false }>): Error {
  const error = new Error(response.message);
  error.name = response.name;
  return error;
}

/**
 * A pool of dedicated module workers running prepareFile, so sniffing, hashing and Storage saver
 * compression never run on the page's main thread. Workers start on demand, up to `size`. The
 * Blob is structured-cloned, which passes a reference to the same bytes (File API: a Blob is
 * immutable, so browsers share its data), not a copy. An abort terminates the worker preparing
 * that file (compression cannot be interrupted midway otherwise) and a fresh one takes its place.
 */
export function createPreparePool(
  size: number = navigator.hardwareConcurrency,
  spawn: () => PoolWorker = spawnPrepareWorker,
): PreparePool {
  // hardwareConcurrency is 0 or undefined where a browser hides it.
  const capacity = Math.max(1, Math.floor(size) || 1);
  const idle: PoolWorker[] = [];
  const busy = new Map<PoolWorker, Job>();
  const waiting: Job[] = [];
  let nextId = 1;
  let closed = false;

  function settle(worker: PoolWorker, job: Job): void {
    busy.delete(worker);
    job.input.signal?.removeEventListener('abort', job.onAbort);
  }

  function retire(worker: PoolWorker): void {
    worker.onmessage = null;
    worker.onerror = null;
    worker.terminate();
    busy.delete(worker);
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
  }

  function start(): PoolWorker {
    const worker = spawn();
    worker.onmessage = (event) => {
      const job = busy.get(worker);
      if (job === undefined || event.data.id !== job.id) return;
      settle(worker, job);
      if (event.data.ok) job.resolve(event.data.result);
      else job.reject(errorFrom(event.data));
      idle.push(worker);
      pump();
    };
    // The worker script failed to load or threw outside a request: the file is not the cause,
    // so its job fails with the message and the worker is replaced.
    worker.onerror = (event) => {
      event.preventDefault();
      const job = busy.get(worker);
      retire(worker);
      if (job !== undefined) {
        job.input.signal?.removeEventListener('abort', job.onAbort);
        job.reject(new Error(`The preparing worker failed: ${event.message || 'it could not start'}`));
      }
      pump();
    };
    return worker;
  }

  function pump(): void {
    while (waiting.length > 0 && !closed) {
      const worker = idle.pop() ?? (busy.size < capacity ? start() : undefined);
      if (worker === undefined) return;
      const job = waiting.shift() as Job;
      busy.set(worker, job);
      const { signal: _signal, ...input } = job.input;
      worker.postMessage({ id: job.id, input });
    }
  }

  const prepare: Preparer = (input) =>
    new Promise<PrepareResult>((resolve, reject) => {
      if (closed) {
        reject(new DOMException('The preparing pool is closed.', 'AbortError'));
        return;
      }
      const { signal } = input;
      if (signal?.aborted === true) {
        reject(abortError(signal));
        return;
      }
      const job: Job = {
        id: nextId++,
        input,
        resolve,
        reject,
        onAbort: () => {
          const at = waiting.indexOf(job);
          if (at >= 0) waiting.splice(at, 1);
          for (const [worker, running] of busy) if (running === job) retire(worker);
          reject(abortError(signal));
          pump();
        },
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      waiting.push(job);
      pump();
    });

  return {
    prepare,
    size: capacity,
    close() {
      closed = true;
      const pending = [...waiting, ...busy.values()];
      waiting.length = 0;
      for (const worker of [...idle, ...busy.keys()]) retire(worker);
      for (const job of pending) {
        job.input.signal?.removeEventListener('abort', job.onAbort);
        job.reject(new DOMException('The preparing pool is closed.', 'AbortError'));
      }
    },
  };
}
