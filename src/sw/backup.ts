import { SYNC_TAG, isDrainRequest, registerBackgroundSync } from '../queue/backgroundSync';
import { backedUpCounter, notifyIfBackupComplete } from '../queue/completion';
import { drain } from '../queue/drain/drain';
import type { DrainResult } from '../queue/drain/drain';
import { QueueDb } from '../queue/queueDb';
import { prepareFile } from '../media/prepare';
import { createQueueServer } from '../queue/serverApi';
import { drainWithRetries } from './syncRetry';

declare const self: ServiceWorkerGlobalScope;

/** A `sync` event (https://wicg.github.io/background-sync/spec/#sync-event); not in TypeScript's lib. */
export interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
  readonly lastChance: boolean;
}

/**
 * Chromium gives a `sync` event about 3 minutes before it cancels it
 * (https://developer.chrome.com/blog/background-sync, "the sync event ... is given 3 minutes"),
 * and any extendable event about 5 minutes before the worker is stopped. No new upload starts
 * after STOP_STARTING_MS; whatever runs is aborted at ABORT_MS and resumes from its offset.
 */
export const SYNC_STOP_STARTING_MS = 2 * 60_000;
export const SYNC_ABORT_MS = 150_000;
export const MESSAGE_STOP_STARTING_MS = 3 * 60_000;
export const MESSAGE_ABORT_MS = 4 * 60_000;

async function drainWithin(stopStartingMs: number, abortMs: number): Promise<DrainResult> {
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), abortMs);
  const queue = await QueueDb.open();
  const backedUp = backedUpCounter();
  try {
    const result = await drain({
      queue,
      server: createQueueServer(),
      origin: self.location.origin,
      // Inline, one file at a time: dedicated Workers are not exposed in service workers (HTML spec).
      prepare: prepareFile,
      signal: controller.signal,
      stopStartingAt: started + stopStartingMs,
      onItem: backedUp.onItem,
    });
    await notifyIfBackupComplete(self.registration, queue, backedUp.count());
    return result;
  } finally {
    clearTimeout(timer);
    queue.close();
  }
}

/**
 * One `sync` wake-up. Work left when the time budget ran out, or for when the connection comes
 * back, is registered again from inside the event: the spec then fires the tag once more after
 * this event (registration state "reregisteredWhileFiring"). A transient failure is tried again
 * within the event while its retry is seconds away (drainWithRetries); after that it rejects
 * waitUntil, so Chromium retries with its own backoff rather than at once.
 */
/**
 * An open, visible page drains by itself, preparing in its worker pool (which a service worker
 * cannot start: dedicated Workers are not exposed in service workers, per the HTML spec), so the
 * wake-up leaves the work to it rather than racing it for the upload lock. A page that closes
 * hands over with a DRAIN message, or a new registration if it was offline.
 */
async function visiblePageOpen(): Promise<boolean> {
  const windows = await self.clients.matchAll({ type: 'window' });
  return windows.some((client) => client.visibilityState === 'visible');
}

async function syncDrain(): Promise<void> {
  // If a tab holds the upload lock, this waits for it (within the budget) rather than returning:
  // the holder may be a tab that is closing, whose unfinished work this wake-up is for.
  const result = await drainWithRetries({
    drain: drainWithin,
    stopStartingMs: SYNC_STOP_STARTING_MS,
    abortMs: SYNC_ABORT_MS,
    pageOpen: visiblePageOpen,
  });
  if (result === null) return;
  switch (result.stop) {
    case 'deadline':
    case 'aborted':
    case 'offline':
      await registerBackgroundSync(self.registration);
      return;
    case 'transient':
      throw new Error('The server could not be reached; Background Sync will try again.');
    case 'finished':
    case 'held':
    case 'signed-out':
      // Nothing this worker can do now: held by a setting or waiting for sign-in, which a page
      // resolves and then drains; failed items waiting for their backoff are taken by the next wake-up.
      return;
  }
}

export function onSync(event: SyncEvent): void {
  if (event.tag === SYNC_TAG) event.waitUntil(syncDrain());
}

/**
 * Drains within an extendable event's lifetime (a page's message, a share where Background Sync
 * is missing); anything left (out of time, offline, a transient failure) is for Background Sync.
 */
export async function drainForEvent(): Promise<void> {
  const result = await drainWithin(MESSAGE_STOP_STARTING_MS, MESSAGE_ABORT_MS);
  if (result.stop !== 'finished' && result.stop !== 'held' && result.stop !== 'signed-out') {
    await registerBackgroundSync(self.registration);
  }
}

/** A page asked (it is closing, or cannot drain itself): drain within the extendable event's lifetime. */
export function onDrainMessage(event: ExtendableMessageEvent): boolean {
  if (!isDrainRequest(event.data)) return false;
  event.waitUntil(drainForEvent());
  return true;
}
