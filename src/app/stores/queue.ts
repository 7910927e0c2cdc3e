import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { registerBackgroundSync } from '../../queue/backgroundSync';
import { backedUpCounter, notifyIfBackupComplete } from '../../queue/completion';
import type { DrainStop } from '../../queue/drain';
import { isPending, uploadLength } from '../../queue/item';
import type { QueueItem } from '../../queue/item';
import { listenToQueue } from '../../queue/channel';
import { QueueDb } from '../../queue/queueDb';
import { createQueueServer } from '../../queue/serverApi';
import type { Hold } from '../../queue/settings';
import { useServiceWorkerUpdate } from '../registerSW';
import { useBackupSettingsStore } from './backupSettings';
import { useSessionStore } from './session';

/** Above this many changed items, reading the whole list is cheaper than reading each. */
const SYNC_ONE_BY_ONE_MAX = 20;
/** The ETA is the upload rate over this window. */
const RATE_WINDOW_MS = 30_000;

/**
 * Wakes the service worker once online (Background Sync), where it exists; where it does not
 * (Firefox, Safari) the page's own triggers are the whole path, so there is nothing to do.
 */
async function requestSync(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  if (registration !== undefined) await registerBackgroundSync(registration);
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
 * Asks the browser not to evict the queue under storage pressure (DESIGN §7) on the first add on
 * this device; src/app/persistence.ts remembers it in the queue's settings. Loaded on demand, as
 * most page loads add nothing, and checked once per page load; a check that failed (IndexedDB)
 * runs again on the next add.
 */
let persistence: Promise<void> | null = null;
function requestPersistence(): Promise<void> {
  persistence ??= import('../persistence')
    .then(({ requestPersistence: request }) => request())
    .catch((error: unknown) => {
      persistence = null;
      throw error;
    });
  return persistence;
}

/** Nothing is left to do for this item, for any drain. */
const isSettled = (item: QueueItem): boolean => item.state === 'done' || item.state === 'skipped';

function sentence(error: unknown, fallback: string): string {
  if (error instanceof DOMException && error.name === 'QuotaExceededError') {
    return 'This device is out of storage space for the backup queue. Free some space and add the rest again.';
  }
  return error instanceof Error && error.message !== '' ? error.message : fallback;
}

/**
 * The backup queue as the page sees it: a mirror of IndexedDB, refreshed on every change notice
 * from any context, plus the page's own drain (issue 2: the page drains; the service worker will too).
 */
export const useQueueStore = defineStore('queue', () => {
  /** Every item, oldest added first: the one list the rest is computed from. */
  const items = ref<QueueItem[]>([]);
  const loaded = ref(false);
  /** This page's drain is running with work to do (or waiting for another context's to finish). */
  const drainingHere = ref(false);
  /** The last drain notice from the channel: some context (this page included) is draining. */
  const drainingAnywhere = ref(false);
  const lastStop = ref<DrainStop | null>(null);
  /** Which setting held this page's last drain back, if one did. */
  const lastHold = ref<Hold | null>(null);
  /** Recent (time, bytes left) samples for the ETA. */
  const samples = ref<{ at: number; bytes: number }[]>([]);
  /** "Adding 340 of 1,000" while files are written into the queue. */
  const adding = ref<{ added: number; total: number } | null>(null);
  /** The last failed action on the queue (adding, removing…), as a sentence. */
  const problem = ref<string | null>(null);
  /** Why the last drain stopped unexpectedly (not an item's failure, which stays in the item), as a sentence. */
  const drainProblem = ref<string | null>(null);

  let queueDb: Promise<QueueDb> | null = null;
  let stopListening: (() => void) | null = null;
  let syncing: Promise<void> | null = null;
  let syncAll = false;
  const syncIds = new Set<string>();
  let drainRun: Promise<void> | null = null;
  let drainAgain = false;
  let drainController: AbortController | null = null;
  let wakeTimer: ReturnType<typeof setTimeout> | null = null;
  const { updating } = useServiceWorkerUpdate();

  const draining = computed(() => drainingHere.value || drainingAnywhere.value);

  const pending = computed(() => items.value.filter(isPending));
  const skipped = computed(() => items.value.filter((item) => item.state === 'skipped'));
  const blocked = computed(() => items.value.filter((item) => item.state === 'blocked'));
  const done = computed(() => items.value.filter((item) => item.state === 'done'));
  const bytesLeft = computed(() =>
    pending.value.reduce(
      (sum, item) => sum + uploadLength(item) - (item.state === 'uploading' ? (item.upload?.offset ?? 0) : 0),
      0,
    ),
  );
  const current = computed(
    () => items.value.find((item) => item.state === 'uploading' || item.state === 'preparing') ?? null,
  );
  const signedOut = computed(() =>
    blocked.value.some((item) => item.state === 'blocked' && item.cause === 'signed-out'),
  );
  /** Bytes per second over the last RATE_WINDOW_MS, or null before there is a measure. */
  const rate = computed(() => {
    const list = samples.value;
    const first = list[0];
    const last = list[list.length - 1];
    if (first === undefined || last === undefined || last.at - first.at < 2_000) return null;
    const sent = first.bytes - last.bytes;
    return sent > 0 ? (sent * 1000) / (last.at - first.at) : null;
  });
  /** Seconds until everything pending is uploaded at the current rate; null when unknown. */
  const etaSeconds = computed(() =>
    rate.value === null || bytesLeft.value === 0 ? null : Math.ceil(bytesLeft.value / rate.value),
  );

  function sample(): void {
    const at = Date.now();
    const bytes = bytesLeft.value;
    const kept = samples.value.filter((entry) => at - entry.at <= RATE_WINDOW_MS && entry.bytes >= bytes);
    samples.value = [...kept, { at, bytes }];
  }

  function open(): Promise<QueueDb> {
    queueDb ??= QueueDb.open().then((db) => {
      stopListening = listenToQueue((notice) => {
        if (notice.type === 'changed') void sync(notice.ids);
        else drainingAnywhere.value = notice.running;
      });
      return db;
    });
    return queueDb;
  }

  /**
   * Brings `items` up to date with IndexedDB: the changed items one by one, or the whole list
   * when many changed or one is new. Requests made while a sync runs are merged into one more
   * pass, so a slow read can never overwrite a newer one.
   */
  function sync(ids: string[] | null): Promise<void> {
    if (ids === null) syncAll = true;
    else ids.forEach((id) => syncIds.add(id));
    syncing ??= (async () => {
      try {
        while (syncAll || syncIds.size > 0) {
          const db = await open();
          if (syncAll || !loaded.value || syncIds.size > SYNC_ONE_BY_ONE_MAX) {
            syncAll = false;
            syncIds.clear();
            items.value = await db.list();
            loaded.value = true;
            sample();
            continue;
          }
          const ids = [...syncIds];
          syncIds.clear();
          const fresh = new Map(await Promise.all(ids.map(async (id) => [id, await db.get(id)] as const)));
          const known = new Set(items.value.map((item) => item.id));
          if ([...fresh].some(([id, item]) => item !== undefined && !known.has(id))) {
            // A new item: its place in the list is the database's to say.
            syncAll = true;
            continue;
          }
          items.value = items.value.flatMap((item) => {
            if (!fresh.has(item.id)) return [item];
            const next = fresh.get(item.id);
            return next === undefined ? [] : [next];
          });
          sample();
        }
      } catch (error) {
        problem.value = sentence(error, 'Shoebox could not read the backup queue on this device.');
      } finally {
        syncing = null;
      }
    })();
    return syncing;
  }

  /** Reloads the whole list. */
  function refresh(): Promise<void> {
    return sync(null);
  }

  /**
   * Writes the files into the queue in batches (the page stays responsive; "Adding 340 of
   * 1,000" meanwhile), under the signed-in account, then starts the backup. Returns the new
   * items in the order of `files` ([] when they could not be added: `problem` says why).
   */
  async function addFiles(files: readonly File[]): Promise<QueueItem[]> {
    if (files.length === 0) return [];
    let added: QueueItem[] = [];
    adding.value = { added: 0, total: files.length };
    const me = useSessionStore().me;
    // Registered first, so that a tab closed right after adding still leaves the wake-up behind;
    // the sync event only fires once online, by when the files are stored.
    const sync = askForSync();
    try {
      void requestPersistence().catch((error: unknown) => {
        problem.value = sentence(error, 'Shoebox could not ask to keep the queue on this device.');
      });
      const db = await open();
      added = await db.addFiles(files, {
        owner: me === null ? null : { id: me.id, email: me.email },
        onProgress: (added, total) => {
          adding.value = { added, total };
        },
      });
      problem.value = null;
    } catch (error) {
      problem.value = sentence(error, 'Shoebox could not add these files to the backup queue.');
    } finally {
      adding.value = null;
      await refresh();
    }
    await sync;
    void drainNow();
    return added;
  }

  /** Registers the Background Sync wake-up; a failure is only a lost wake-up, the page still drains. */
  async function askForSync(): Promise<void> {
    try {
      await requestSync();
    } catch (error) {
      drainProblem.value = sentence(error, 'Shoebox could not schedule the backup for later.');
    }
  }

  async function act(action: (db: QueueDb) => Promise<unknown>, fallback: string): Promise<void> {
    try {
      await action(await open());
      problem.value = null;
    } catch (error) {
      problem.value = sentence(error, fallback);
    }
    await refresh();
  }

  /** The stored file of an item (for its thumbnail), while the queue still holds it. */
  async function blobOf(item: QueueItem): Promise<Blob | undefined> {
    if (item.blobKey === null) return undefined;
    return (await open()).getBlob(item.blobKey);
  }

  function remove(id: string): Promise<void> {
    return act((db) => db.remove(id), 'Shoebox could not remove this item.');
  }

  async function retry(id: string): Promise<void> {
    await act((db) => db.retry(id), 'Shoebox could not retry this item.');
    void drainNow();
  }

  function clearCompleted(): Promise<void> {
    return act((db) => db.clearCompleted(), 'Shoebox could not clear the completed items.');
  }

  /** After signing in again: items blocked by the expired session go back to work. */
  async function resumeAfterSignIn(): Promise<void> {
    await act((db) => db.unblock('signed-out'), 'Shoebox could not resume the backup.');
    void drainNow();
  }

  function scheduleWake(at: number | null): void {
    if (wakeTimer !== null) clearTimeout(wakeTimer);
    wakeTimer = null;
    if (at === null) return;
    wakeTimer = setTimeout(() => void drainNow(), Math.max(0, at - Date.now()));
  }

  /**
   * Runs the drain from this page. A request while one runs makes it go round once more, so
   * files added meanwhile are never left waiting for the next trigger.
   */
  function drainNow(): Promise<void> {
    if (drainRun !== null) {
      drainAgain = true;
      return drainRun;
    }
    drainRun = (async () => {
      try {
        const queue = await open();
        do {
          drainAgain = false;
          // Done and skipped items need nothing more: with only those (an empty queue, the usual
          // case on opening the app), the drain is not even loaded. A request made meanwhile
          // (files added) goes round the loop again, so it reads the list afresh.
          await sync(null);
          if (items.value.every(isSettled)) continue;
          // Only a drain with work counts as draining: the pass over an empty queue as the app
          // opens must not make Library reload the timeline it is loading (issue 5).
          drainingHere.value = true;
          // Loaded on the first drain with work to do, not with the app shell (src/app/pageDrain.ts).
          const { drain, pagePreparer } = await import('../pageDrain');
          drainController = new AbortController();
          const settings = useBackupSettingsStore();
          const preparer = pagePreparer();
          const backedUp = backedUpCounter();
          const result = await drain({
            queue,
            server: createQueueServer(),
            origin: location.origin,
            signal: drainController.signal,
            device: () => Promise.resolve(settings.device()),
            onItem: backedUp.onItem,
            // The user accepted a new version: it takes over between uploads (src/sw/sw.ts), so
            // the current upload finishes and the rest wait for the reloaded page.
            stopStarting: () => updating.value,
            ...(preparer === null
              ? {}
              : { prepare: preparer.prepare, prepareConcurrency: preparer.concurrency }),
          });
          lastStop.value = result.stop;
          lastHold.value = result.hold ?? null;
          scheduleWake(result.nextAttemptAt);
          await notifyIfComplete(queue, backedUp.count());
          // Work left for when the connection or the server comes back: the service worker may
          // finish it after this page has closed.
          if (result.stop === 'transient' || result.stop === 'offline') await askForSync();
          // The server no longer knows this session: the app must ask the user to sign in.
          if (result.stop === 'signed-out') useSessionStore().signedOut();
        } while (drainAgain && lastStop.value !== 'aborted' && lastStop.value !== 'deadline');
        drainProblem.value = null;
      } catch (error) {
        drainProblem.value = sentence(error, 'The backup stopped unexpectedly.');
      } finally {
        drainController = null;
        drainRun = null;
        drainingHere.value = false;
        await refresh();
      }
    })();
    return drainRun;
  }

  /** Stops this page's drain (signing out); uploads resume from their offset next time. */
  async function stopDrain(): Promise<void> {
    drainAgain = false;
    scheduleWake(null);
    drainController?.abort();
    await drainRun;
  }

  function dispose(): void {
    scheduleWake(null);
    stopListening?.();
    stopListening = null;
  }

  return {
    items,
    loaded,
    drainingHere,
    drainingAnywhere,
    draining,
    lastStop,
    lastHold,
    rate,
    etaSeconds,
    adding,
    problem,
    drainProblem,
    pending,
    skipped,
    blocked,
    done,
    bytesLeft,
    current,
    signedOut,
    refresh,
    blobOf,
    addFiles,
    remove,
    retry,
    clearCompleted,
    resumeAfterSignIn,
    drainNow,
    stopDrain,
    dispose,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useQueueStore, import.meta.hot));
