/** The Web Lock every drainer holds (DESIGN §4): one drain at a time across tabs and the service worker. */
export const UPLOAD_LOCK = 'shoebox-upload';

/** Where the Web Locks API is missing (Safari before 15.4, Node in unit tests): one drain per context. */
let fallbackTail: Promise<void> = Promise.resolve();

function webLocks(): LockManager | null {
  return typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : null;
}

/** Runs `task` while holding the upload lock, waiting for any other holder to finish first. */
export function withUploadLock<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const locks = webLocks();
  if (locks !== null) {
    return locks.request(UPLOAD_LOCK, signal ? { signal } : {}, task);
  }
  const run = fallbackTail.then(() => {
    signal?.throwIfAborted();
    return task();
  });
  // The next task waits for this one to settle either way; this task's own outcome, error
  // included, reaches its caller through `run`.
  fallbackTail = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}
