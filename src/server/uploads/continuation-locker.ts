import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import { ApiError } from '../errors';

/** How long a request that takes an upload over waits for the running one to let go (tus's default). */
const TAKEOVER_TIMEOUT_MS = 30_000;

interface Turn {
  /** The offset after this request's bytes, when it is a PATCH that declares them. */
  end: number | null;
  requestRelease: RequestRelease;
  /** Set while waiting: called when the turn comes, or with an error when it never will. */
  settle?: ((error?: Error) => void) | undefined;
}

interface Line {
  holder: Turn | null;
  waiting: Turn[];
}

/** One of tus's errors, thrown as an Error that tus and `fromTusThrown` still read by its status. */
const tusError = (error: { status_code: number; body: string }): Error =>
  Object.assign(new Error(error.body), error);

/** Upload-Offset + Content-Length of a PATCH, or null for any other request. */
function patchEnd(request: Request): { start: number; end: number } | null {
  if (request.method !== 'PATCH') return null;
  const start = Number(request.headers.get('upload-offset') ?? Number.NaN);
  const length = Number(request.headers.get('content-length') ?? Number.NaN);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length < 0) return null;
  return { start, end: start + length };
}

/**
 * tus's per-upload lock, as its MemoryLocker does it (a request that wants a locked upload asks the
 * one holding it to let go: a client resuming after a dropped connection takes over at once),
 * with one exception: a PATCH that starts exactly where the last request in line will end waits
 * for its turn instead. That is a client sending its next chunk before the answer to the last
 * one (pipelining), which saves the browser's pause between requests; tus's own offset check
 * still decides whether its bytes are taken (a predecessor that failed midway leaves it a 409).
 * Anything else (a HEAD, a PATCH from another offset, a DELETE) takes the upload over as before and
 * ends every waiting turn.
 */
export class ContinuationLocker {
  private readonly lines = new Map<string, Line>();

  /** tus's `locker` option: the lock knows which request it is for. */
  forRequest(request: Request): Locker {
    const range = patchEnd(request);
    return { newLock: (id) => this.newLock(id, range) };
  }

  /** Whether a request is running or waiting for the upload. */
  busy(id: string): boolean {
    return this.lines.has(id);
  }

  /** Uploads with a request running or waiting, for tests. */
  get size(): number {
    return this.lines.size;
  }

  private newLock(id: string, range: { start: number; end: number } | null): Lock {
    let turn: Turn | null = null;
    return {
      lock: async (signal, requestRelease) => {
        turn = { end: range?.end ?? null, requestRelease };
        await this.take(id, turn, range?.start ?? null, signal);
      },
      unlock: () => {
        if (turn !== null) this.release(id, turn);
        return Promise.resolve();
      },
    };
  }

  private async take(id: string, turn: Turn, start: number | null, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw tusError(ERRORS.ABORTED);
    let line = this.lines.get(id);
    if (line === undefined) {
      line = { holder: null, waiting: [] };
      this.lines.set(id, line);
    }
    if (line.holder === null && line.waiting.length === 0) {
      line.holder = turn;
      return;
    }
    const last = line.waiting.at(-1) ?? line.holder;
    const continues = start !== null && last !== null && last.end === start;
    // A takeover: no waiting request will be wanted, and the running one is asked to stop once
    // this one is in line (so that its unlock hands the upload to this one).
    if (!continues)
      for (const waiting of line.waiting.splice(0)) waiting.settle?.(new ApiError('UPLOAD_CONFLICT'));
    const holder = continues ? null : line.holder;
    const current = line;
    const turnCome = new Promise<void>((resolve, reject) => {
      const timer = continues
        ? null
        : setTimeout(() => leave(tusError(ERRORS.ERR_LOCK_TIMEOUT)), TAKEOVER_TIMEOUT_MS);
      const onAbort = (): void => leave(tusError(ERRORS.ABORTED));
      function leave(error: Error): void {
        const index = current.waiting.indexOf(turn);
        if (index >= 0) current.waiting.splice(index, 1);
        turn.settle?.(error);
      }
      turn.settle = (error?: Error) => {
        turn.settle = undefined;
        if (timer !== null) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      current.waiting.push(turn);
    });
    await holder?.requestRelease();
    await turnCome;
  }

  private release(id: string, turn: Turn): void {
    const line = this.lines.get(id);
    if (line?.holder !== turn) return;
    const next = line.waiting.shift();
    if (next === undefined) {
      this.lines.delete(id);
      return;
    }
    line.holder = next;
    next.settle?.();
  }
}
