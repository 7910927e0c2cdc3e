/**
 * Adding picked files to the queue: in batches (each one transaction), so 10,000 files show
 * progress and the drain starts on the first batch while the rest is still being written.
 */
import type { ItemOwner, NotStoredItem, QueueItem, QueuedItem } from './item';
import type { QueueStore } from './store';
import * as to from './transitions';

/** Files written per transaction at most: big enough to be quick, small enough to keep the page responsive. */
export const ADD_BATCH_SIZE = 50;
/**
 * Bytes written per transaction at most: the drain's own transitions wait for a batch to commit
 * (they share the `items` store), so a batch of large videos must not hold them up for long.
 */
export const ADD_BATCH_BYTES = 32 * 1024 * 1024;

/**
 * Reading a picked File's size is a synchronous stat in Chromium (Blob::CaptureSnapshot: about
 * 0.3 ms a file, 7 ms on a loaded machine), and so is storing the File, which needs its size: a
 * batch's 50 made the page's longest tasks while 10,000 photos were added (bench queue). Sizes are
 * read in slices of at most this long, the page running between them; the batch then stores
 * files whose sizes are known.
 */
export const SIZE_SLICE_MS = 8;

/** The sentence of an item the device had no room to store. */
export const OUT_OF_STORAGE_REASON =
  'This device ran out of storage space for this file. Free some space, remove this item and add the file again.';

export interface AddOptions {
  onProgress?: ((added: number, total: number) => void) | undefined;
  /** The signed-in account; null for a share (the next drain gives it to whoever is signed in). */
  owner?: ItemOwner | null;
  /** The album the files go into once backed up (a folder added as an album), if any. */
  albumId?: string | null;
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

/** Lets the page handle input and paint: scheduler.yield() where there is one (Chromium), else a task. */
function yieldToPage(): Promise<void> {
  // Not in TypeScript's DOM library yet: https://wicg.github.io/scheduling-apis/#dom-scheduler-yield
  const { scheduler } = globalThis as { scheduler?: { yield?: () => Promise<void> } };
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Consecutive files of at most ADD_BATCH_SIZE files and ADD_BATCH_BYTES bytes (one file at least),
 * their sizes read SIZE_SLICE_MS at a time.
 */
async function* batches(files: readonly File[]): AsyncGenerator<File[]> {
  let batch: File[] = [];
  let bytes = 0;
  let sliceStart = performance.now();
  for (const file of files) {
    if (performance.now() - sliceStart >= SIZE_SLICE_MS) {
      await yieldToPage();
      sliceStart = performance.now();
    }
    const { size } = file;
    if (batch.length > 0 && (batch.length >= ADD_BATCH_SIZE || bytes + size > ADD_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

async function putQueued(
  queue: QueueStore,
  entries: readonly { item: QueuedItem; file: File }[],
): Promise<void> {
  const tx = queue.db.transaction(['items', 'blobs'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (const { item, file } of entries) {
    writes.push(tx.objectStore('blobs').put(file, item.blobKey));
    writes.push(tx.objectStore('items').put(item));
  }
  await Promise.all([...writes, tx.done]);
}

/**
 * Records the files that did not fit, so the user sees which ones to add again. The records are
 * a few hundred bytes each; when even they do not fit, the items are still announced, so every
 * open page lists them until it closes (the status card says so), and returned to the caller.
 */
async function putNotStored(queue: QueueStore, items: readonly NotStoredItem[]): Promise<void> {
  try {
    const tx = queue.db.transaction('items', 'readwrite');
    await Promise.all([...items.map((item) => tx.store.put(item)), tx.done]);
  } catch (error) {
    if (!isQuotaError(error)) throw error;
  }
}

/**
 * Stores each file and a `queued` item for it, batch by batch, announcing each batch. When the
 * device runs out of storage (QuotaExceededError) the failing batch, and every one after it, is
 * tried file by file; a file that does not fit, and every later file at least as large, becomes a
 * blocked item without its bytes ('storage'), listed with the reason: nothing picked is dropped
 * silently. Items already queued are never touched. Other errors are thrown, earlier batches
 * kept. Returns the items in file order.
 */
export async function addFiles(
  queue: QueueStore,
  files: readonly File[],
  options: AddOptions = {},
): Promise<QueueItem[]> {
  const { onProgress, owner = null, albumId = null } = options;
  const added: QueueItem[] = [];
  /** Smaller than every file that did not fit: what the device may still have room for. */
  let room = Number.POSITIVE_INFINITY;
  const tryOne = async (entry: { item: QueuedItem; file: File }): Promise<QueueItem> => {
    if (entry.file.size >= room) return to.notStored(entry.item, OUT_OF_STORAGE_REASON);
    try {
      await putQueued(queue, [entry]);
      return entry.item;
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      room = entry.file.size;
      return to.notStored(entry.item, OUT_OF_STORAGE_REASON);
    }
  };
  for await (const batch of batches(files)) {
    const entries = batch.map((file) => ({
      file,
      item: to.queued(file, { id: crypto.randomUUID(), addedAt: queue.nextAddedAt(), owner, albumId }),
    }));
    let written: QueueItem[] = [];
    if (room === Number.POSITIVE_INFINITY) {
      try {
        await putQueued(queue, entries);
        written = entries.map(({ item }) => item);
      } catch (error) {
        if (!isQuotaError(error)) throw error;
      }
    }
    if (written.length === 0) {
      // Out of room: file by file, and only those smaller than any that did not fit, so a
      // full device costs one failed write per smaller size rather than one per file.
      for (const entry of entries) written.push(await tryOne(entry));
    }
    const notStored = written.filter((item): item is NotStoredItem => item.state === 'blocked');
    if (notStored.length > 0) await putNotStored(queue, notStored);
    added.push(...written);
    queue.announce(written);
    onProgress?.(added.length, files.length);
  }
  return added;
}
