import { backedUpCounter, notifyIfBackupComplete } from '../queue/completion';
import type { DrainResult } from '../queue/drain/drain';
import type { QueueNotice } from '../queue/channel';
import type { QueueDb } from '../queue/queueDb';
import { createQueueServer } from '../queue/serverApi';
import type { DeviceConditions } from '../queue/settings';

export interface PageDrainHooks {
  open: () => Promise<QueueDb>;
  /** Whether anything is left to do, once `loaded` has read the queue. */
  hasWork: () => boolean;
  loaded: () => Promise<void>;
  device: () => Omit<DeviceConditions, 'online'>;
  /** True while a new version waits to take over: the current upload finishes, nothing new starts. */
  stopStarting: () => boolean;
  /** Files are still being added: the drain waits for their next batch rather than ending. */
  adding: () => boolean;
  nextAdded: () => Promise<void>;
  /** Where the drain's running/stopped notices go (the page's queue channel). */
  notify: (notice: QueueNotice) => void;
  askForSync: () => Promise<void>;
  signedOut: () => void;
  onRunning: (running: boolean) => void;
  onResult: (result: DrainResult) => void;
  onProblem: (message: string | null) => void;
}

/** "Backup complete" through the service worker's registration, if this page's drain emptied the queue. */
async function notifyIfComplete(queue: QueueDb, backedUp: number): Promise<void> {
  if (backedUp === 0 || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    if (registration !== undefined) await notifyIfBackupComplete(registration, queue, backedUp);
  } catch (error) {
    // The backup itself is done; a notification that could not be shown must not report it as failed.
    console.warn('Shoebox could not show the "Backup complete" notification.', error);
  }
}

/**
 * The page's own drain (issue 2: the page drains where Background Sync does not exist, and
 * whenever it is open). One run at a time; a request while one runs makes it go round once more,
 * so files added meanwhile are never left waiting for the next trigger. A failed item's retry is
 * a timer for its `nextAttemptAt`.
 */
export function runPageDrain(hooks: PageDrainHooks): {
  drainNow: () => Promise<void>;
  stop: () => Promise<void>;
  dispose: () => void;
} {
  let running: Promise<void> | null = null;
  let again = false;
  let controller: AbortController | null = null;
  let wakeTimer: ReturnType<typeof setTimeout> | null = null;

  function scheduleWake(at: number | null): void {
    if (wakeTimer !== null) clearTimeout(wakeTimer);
    wakeTimer = null;
    if (at === null) return;
    wakeTimer = setTimeout(() => void drainNow(), Math.max(0, at - Date.now()));
  }

  async function once(queue: QueueDb): Promise<DrainResult> {
    // Loaded on the first drain with work to do, not with the app shell (src/app/pageDrain.ts).
    const { drain, pagePreparer } = await import('./pageDrain');
    const preparer = await pagePreparer();
    const backedUp = backedUpCounter();
    controller = new AbortController();
    const result = await drain({
      queue,
      server: createQueueServer(),
      origin: location.origin,
      prepare: preparer.prepare,
      prepareConcurrency: preparer.concurrency,
      signal: controller.signal,
      device: () => Promise.resolve(hooks.device()),
      onItem: backedUp.onItem,
      // The user accepted a new version: it takes over between uploads (src/sw/sw.ts), so
      // the current upload finishes and the rest wait for the reloaded page.
      stopStarting: hooks.stopStarting,
      adding: hooks.adding,
      nextAdded: hooks.nextAdded,
      notify: hooks.notify,
    });
    await notifyIfComplete(queue, backedUp.count());
    return result;
  }

  function drainNow(): Promise<void> {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      let last: DrainResult | null = null;
      try {
        const queue = await hooks.open();
        do {
          again = false;
          await hooks.loaded();
          // With nothing pending (an empty queue, the usual case on opening the app), the drain
          // is not even loaded; only a drain with work counts as draining, so the pass as the app
          // opens does not make Library reload the timeline it is loading (issue 5).
          if (!hooks.hasWork() && !hooks.adding()) continue;
          hooks.onRunning(true);
          last = await once(queue);
          hooks.onResult(last);
          scheduleWake(last.nextAttemptAt);
          // Work left for when the connection or the server comes back: the service worker may
          // finish it after this page has closed.
          if (last.stop === 'transient' || last.stop === 'offline') await hooks.askForSync();
          // The server no longer knows this session: the app must ask the user to sign in.
          if (last.stop === 'signed-out') hooks.signedOut();
        } while (again && last?.stop !== 'aborted' && last?.stop !== 'deadline');
        hooks.onProblem(null);
      } catch (error) {
        hooks.onProblem(
          error instanceof Error && error.message !== '' ? error.message : 'The backup stopped unexpectedly.',
        );
      } finally {
        controller = null;
        running = null;
        hooks.onRunning(false);
      }
    })();
    return running;
  }

  return {
    drainNow,
    async stop() {
      again = false;
      scheduleWake(null);
      controller?.abort();
      await running;
    },
    dispose() {
      scheduleWake(null);
    },
  };
}
