import type { BackupFolder, SeenFile } from '../../queue/folder';
import { sourceSha256Of } from '../../queue/item';
import { openShoeboxDb } from '../../queue/schema';
import type { OpenOptions, ShoeboxDatabase } from '../../queue/schema';

/** The `folderFiles` keys of one folder: `[id, path]` for every path (arrays sort after strings). */
function filesOf(folderId: string): IDBKeyRange {
  return IDBKeyRange.bound([folderId], [folderId, []]);
}

/** What a finished scan saw, for the folder's record. */
export interface ScanSummary {
  at: number;
  found: number;
  queued: number;
}

/**
 * Folders to back up and what their scans have seen, in the queue's IndexedDB database (the
 * `folders` and `folderFiles` stores of src/queue/schema.ts). Callers never touch stores.
 */
export class FolderDb {
  constructor(readonly db: ShoeboxDatabase) {}

  static async open(options: OpenOptions = {}): Promise<FolderDb> {
    return new FolderDb(await openShoeboxDb(options));
  }

  close(): void {
    this.db.close();
  }

  /** Every folder, in the order they were added. */
  async list(): Promise<BackupFolder[]> {
    return (await this.db.getAll('folders')).sort((a, b) => a.addedAt - b.addedAt);
  }

  get(id: string): Promise<BackupFolder | undefined> {
    return this.db.get('folders', id);
  }

  /** Keeps a new folder (whose photos go into `albumId`, if given); nothing is seen in it until its first scan. */
  async add(
    handle: FileSystemDirectoryHandle,
    addedAt: number,
    albumId: string | null = null,
  ): Promise<BackupFolder> {
    const kept: BackupFolder = {
      id: crypto.randomUUID(),
      name: handle.name,
      handle,
      addedAt,
      lastScanAt: null,
      lastFound: null,
      lastQueued: null,
      lastError: null,
    };
    const folder = albumId === null ? kept : { ...kept, albumId };
    await this.db.put('folders', folder);
    return folder;
  }

  /** Forgets the folder and what was seen in it; what it queued or backed up stays. */
  async remove(id: string): Promise<void> {
    const tx = this.db.transaction(['folders', 'folderFiles'], 'readwrite');
    await Promise.all([
      tx.objectStore('folders').delete(id),
      tx.objectStore('folderFiles').delete(filesOf(id)),
      tx.done,
    ]);
  }

  /**
   * What earlier scans of the folder saw, by path. Files whose queue item has been hashed since
   * get that item's sourceSha256 first, in the same transaction, so that a rename of them is
   * recognised without reading them again; after that (or once the item is gone) the entry no
   * longer points at the item, so a scan of 20,000 seen files reads 20,000 records, no more.
   */
  async seen(folderId: string): Promise<Map<string, SeenFile>> {
    const tx = this.db.transaction(['folderFiles', 'items'], 'readwrite');
    const files = tx.objectStore('folderFiles');
    const items = tx.objectStore('items');
    const entries = await files.getAll(filesOf(folderId));
    const writes: Promise<unknown>[] = [];
    const filled = await Promise.all(
      entries.map(async (entry) => {
        if (entry.sourceSha256 !== null || entry.itemId === null) return entry;
        const item = await items.get(entry.itemId);
        if (item !== undefined && sourceSha256Of(item) === null) return entry;
        // Hashed, or removed from the queue before it was (cleared, or by the user): either way
        // there is nothing more to learn from the item, so later scans stop asking for it.
        const next = {
          ...entry,
          sourceSha256: item === undefined ? null : sourceSha256Of(item),
          itemId: null,
        };
        writes.push(files.put(next));
        return next;
      }),
    );
    await Promise.all([...writes, tx.done]);
    return new Map(filled.map((entry) => [entry.path, entry]));
  }

  /**
   * Seen files of every folder with one of these sizes (candidates for a rename or a copy). A
   * lookup per size suits a rescan with a few new files; when there are about as many sizes as
   * seen files (a first scan), one read of the whole store is far cheaper than thousands of lookups.
   */
  async sameSize(sizes: readonly number[]): Promise<SeenFile[]> {
    const store = this.db.transaction('folderFiles').store;
    if ((await store.count()) <= sizes.length * 8) {
      const wanted = new Set(sizes);
      return (await store.getAll()).filter((entry) => wanted.has(entry.size));
    }
    const index = store.index('by-size');
    return (await Promise.all(sizes.map((size) => index.getAll(size)))).flat();
  }

  /**
   * Records files as seen, in one transaction; nothing when the folder was removed meanwhile
   * (returns false), so a scan still running never brings a removed folder's index back.
   */
  async record(folderId: string, entries: readonly SeenFile[]): Promise<boolean> {
    const tx = this.db.transaction(['folders', 'folderFiles'], 'readwrite');
    if ((await tx.objectStore('folders').count(folderId)) === 0) {
      await tx.done;
      return false;
    }
    const files = tx.objectStore('folderFiles');
    await Promise.all([...entries.map((entry) => files.put(entry)), tx.done]);
    return true;
  }

  /** Saves the outcome of a scan on the folder's record (if the folder is still there). */
  async finishScan(folderId: string, outcome: ScanSummary | { error: string }): Promise<BackupFolder | null> {
    const tx = this.db.transaction('folders', 'readwrite');
    const folder = await tx.store.get(folderId);
    if (folder === undefined) {
      await tx.done;
      return null;
    }
    const next: BackupFolder =
      'error' in outcome
        ? { ...folder, lastError: outcome.error }
        : {
            ...folder,
            lastScanAt: outcome.at,
            lastFound: outcome.found,
            lastQueued: outcome.queued,
            lastError: null,
          };
    await Promise.all([tx.store.put(next), tx.done]);
    return next;
  }
}
