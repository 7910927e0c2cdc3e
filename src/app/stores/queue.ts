import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import { openQueueChannel } from '../../queue/channel';
import type { QueueNotice } from '../../queue/channel';
import type { DrainStop } from '../../queue/drain/drain';
import { blobKeyOf, isNotStored } from '../../queue/item';
import type { QueueItem } from '../../queue/item';
import { QueueDb, QueueItemNotFoundError } from '../../queue/queueDb';
import type { Hold } from '../../queue/settings';
import { QueueMirror } from '../queueMirror';
import { runPageDrain } from '../queueDrain';
import { requestPersistence, requestSync, sentence } from '../queueSupport';
import { useServiceWorkerUpdate } from '../registerSW';
import { useUploadRate } from '../uploadRate';
import { useBackupSettingsStore } from './backupSettings';
import { useSessionStore } from './session';

/**
 * The backup queue as the page sees it: a mirror of IndexedDB kept item by item from the change
 * notices of every context (this page's drain, the service worker's, other tabs), plus the page's
 * own drain. Counts and bytes left are kept by the mirror as items change, never recounted.
 */
export const useQueueStore = defineStore('queue', () => {
  /** The one copy of the queue; `revision` tells Vue when it changed. */
  const mirror = new QueueMirror();
  const revision = shallowRef(0);
  const loaded = ref(false);
  /** This page's drain is running with work to do (or waiting for another context's to finish). */
  const drainingHere = ref(false);
  /** The last drain notice from the channel: some context (this page included) is draining. */
  const drainingAnywhere = ref(false);
  const lastStop = ref<DrainStop | null>(null);
  /** Which setting held this page's last drain back, if one did. */
  const lastHold = ref<Hold | null>(null);
  /** "Adding 340 of 1,000" while files are written into the queue. */
  const adding = ref<{ added: number; total: number } | null>(null);
  /** The last failed action on the queue (adding, removing…), as a sentence. */
  const problem = ref<string | null>(null);
  /** Why the last drain stopped unexpectedly (not an item's failure, which stays in the item), as a sentence. */
  const drainProblem = ref<string | null>(null);

  let queueDb: Promise<QueueDb> | null = null;
  let channel: ReturnType<typeof openQueueChannel> | null = null;
  /** Adds in progress, and who waits for their next batch (the drain, which starts on the first). */
  let addsRunning = 0;
  let batchWaiters: (() => void)[] = [];
  const { updating } = useServiceWorkerUpdate();

  const changed = (): void => {
    triggerRef(revision);
    sample();
  };
  const read = <T>(get: () => T) => computed(() => (revision.value, get()));

  const counts = read(() => ({ ...mirror.counts }));
  const total = read(() => mirror.size);
  const pendingCount = read(
    () =>
      mirror.counts.queued +
      mirror.counts.preparing +
      mirror.counts.ready +
      mirror.counts.uploading +
      mirror.counts.failed,
  );
  const bytesLeft = read(() => mirror.bytesLeft);
  /** Bytes of work ever added, and ever dropped (skipped, removed): what a run's progress follows. */
  const bytesAdded = read(() => mirror.bytesAdded);
  const bytesDropped = read(() => mirror.bytesDropped);
  /** Files picked that the device had no room to store: listed, blocked, until added again. */
  const notStoredCount = read(() => mirror.blocked.storage);
  const current = read(() => mirror.current());
  const nextRetry = read(() => mirror.nextRetry());
  const signedOut = read(() => mirror.blocked['signed-out'] > 0);
  const draining = computed(() => drainingHere.value || drainingAnywhere.value);
  const { rate, etaSeconds, sample } = useUploadRate(
    () => mirror.bytesLeft,
    () => mirror.bytesSent,
  );

  /** The `count` items added last, newest first (the Backup screen's rows). */
  function newest(count: number): QueueItem[] {
    void revision.value;
    return mirror.newest(count);
  }

  function onNotice(notice: QueueNotice): void {
    if (notice.type === 'drain') {
      drainingAnywhere.value = notice.running;
      return;
    }
    if (notice.type === 'items') for (const item of notice.items) mirror.apply(item);
    else for (const id of notice.ids) mirror.remove(id);
    changed();
  }

  /** Where this page's queue and drain announce their changes: to this mirror at once, and to the other contexts. */
  function notify(notice: QueueNotice): void {
    channel ??= openQueueChannel(onNotice);
    channel.post(notice);
  }

  function open(): Promise<QueueDb> {
    channel ??= openQueueChannel(onNotice);
    queueDb ??= QueueDb.open({ notify });
    return queueDb;
  }

  /**
   * Reads the whole queue once (the page opens, or becomes visible again after notices may have
   * been missed); from then on the notices keep the mirror.
   */
  async function refresh(): Promise<void> {
    try {
      mirror.reset(await (await open()).list(), isNotStored);
      loaded.value = true;
      changed();
    } catch (error) {
      problem.value = sentence(error, 'Shoebox could not read the backup queue on this device.');
    }
  }

  function batchAdded(): void {
    const waiters = batchWaiters;
    batchWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Writes the files into the queue in batches (the page stays responsive; "Adding 340 of
   * 1,000" meanwhile), under the signed-in account, and starts the backup as soon as the first
   * batch is stored. Returns the new items in the order of `files` ([] when they could not be
   * added: `problem` says why); a file the device had no room for is among them, blocked.
   * `albumId`: the album they go into once backed up (a folder added as an album).
   */
  async function addFiles(files: readonly File[], options: { albumId?: string } = {}): Promise<QueueItem[]> {
    if (files.length === 0) return [];
    adding.value = { added: 0, total: files.length };
    const me = useSessionStore().me;
    // Registered first, so that a tab closed right after adding still leaves the wake-up behind;
    // the sync event only fires once online, by when the files are stored.
    const sync = askForSync();
    addsRunning += 1;
    try {
      void requestPersistence().catch((error: unknown) => {
        problem.value = sentence(error, 'Shoebox could not ask to keep the queue on this device.');
      });
      const db = await open();
      const added = await db.addFiles(files, {
        owner: me === null ? null : { id: me.id, email: me.email },
        albumId: options.albumId ?? null,
        onProgress: (count, of) => {
          adding.value = { added: count, total: of };
          batchAdded();
          void drainNow();
        },
      });
      problem.value = null;
      return added;
    } catch (error) {
      problem.value = sentence(error, 'Shoebox could not add these files to the backup queue.');
      return [];
    } finally {
      addsRunning -= 1;
      adding.value = null;
      batchAdded();
      await sync;
      void drainNow();
    }
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
  }

  /** The stored file of an item (for its thumbnail), while the queue holds it. */
  async function blobOf(item: QueueItem): Promise<Blob | undefined> {
    const key = blobKeyOf(item);
    return key === null ? undefined : (await open()).getBlob(key);
  }

  function remove(id: string): Promise<void> {
    return act(async (db) => {
      const item = mirror.get(id);
      try {
        await db.remove(id);
      } catch (error) {
        // A file the device had no room for, whose record did not fit either (adding.ts): it
        // lives in this list only.
        if (!(error instanceof QueueItemNotFoundError && item !== undefined && isNotStored(item)))
          throw error;
        mirror.remove(id);
        changed();
      }
    }, 'Shoebox could not remove this item.');
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

  const drainer = runPageDrain({
    open,
    hasWork: () => pendingCount.value > 0,
    loaded: async () => {
      if (!loaded.value) await refresh();
    },
    device: () => useBackupSettingsStore().device(),
    stopStarting: () => updating.value,
    adding: () => addsRunning > 0,
    nextAdded: () => new Promise<void>((resolve) => batchWaiters.push(resolve)),
    notify,
    askForSync,
    signedOut: () => useSessionStore().signedOut(),
    onRunning: (running) => (drainingHere.value = running),
    onResult: (result) => {
      lastStop.value = result.stop;
      lastHold.value = result.hold ?? null;
    },
    onProblem: (message) => (drainProblem.value = message),
  });

  /** Runs the drain from this page; a request while one runs makes it go round once more. */
  function drainNow(): Promise<void> {
    return drainer.drainNow();
  }

  /** Stops this page's drain (signing out); uploads resume from their offset next time. */
  function stopDrain(): Promise<void> {
    return drainer.stop();
  }

  function dispose(): void {
    drainer.dispose();
    channel?.close();
    channel = null;
  }

  return {
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
    counts,
    total,
    pendingCount,
    notStoredCount,
    bytesLeft,
    bytesAdded,
    bytesDropped,
    current,
    nextRetry,
    signedOut,
    newest,
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
