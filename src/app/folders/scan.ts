import type { BackupFolder, SeenFile } from '../../queue/folder';
import { isNotStored } from '../../queue/item';
import type { QueueItem } from '../../queue/item';
import { readPermission } from './fileSystemAccess';
import type { FolderDb } from './folderDb';
import { planScan } from './plan';
import { listMedia } from './walk';

/** New files are queued this many at a time, each batch recorded as seen once it is stored. */
export const QUEUE_BATCH = 1_000;

export type ScanProgress =
  | { stage: 'listing'; found: number }
  | { stage: 'comparing'; found: number }
  | { stage: 'queueing'; found: number; queued: number; total: number };

export type ScanResult =
  | { status: 'scanned'; found: number; queued: number; copies: number; unreadable: number }
  /** Reading the folder needs the user's permission again ("Allow access again"). */
  | { status: 'needs-permission' }
  | { status: 'failed'; error: string }
  /** The folder was removed while it was being scanned. */
  | { status: 'removed' };

export interface ScanDeps {
  db: FolderDb;
  /** Adds files to the backup queue; returns their items in the same order, [] if none could be added. */
  queueFiles: (files: File[]) => Promise<QueueItem[]>;
  hash: (file: File) => Promise<string>;
  onProgress?: ((progress: ScanProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  now?: (() => number) | undefined;
}

/** The sentence for a folder that could not be read. */
export function scanError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'NotFoundError') {
    return "Shoebox can't find this folder any more: it may have been moved, renamed or deleted. Stop backing it up, then add it again where it is now.";
  }
  const detail = error instanceof Error && error.message !== '' ? ` (${error.message})` : '';
  return `Shoebox could not read this folder${detail}.`;
}

function isPermissionError(error: unknown): boolean {
  return (
    error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'SecurityError')
  );
}

/**
 * Scans one folder: lists its photos and videos, queues those not seen before (planScan) and
 * records them as seen once they are in the queue, never before, so a scan cut short queues a
 * file again rather than losing it (the server keeps one asset per sourceSha256 either way).
 */
export async function scanFolder(folder: BackupFolder, deps: ScanDeps): Promise<ScanResult> {
  const { db, queueFiles, hash, onProgress, signal, now = Date.now } = deps;
  if ((await readPermission(folder.handle)) !== 'granted') return { status: 'needs-permission' };
  try {
    let unreadable = 0;
    const listed = await listMedia(folder.handle, {
      signal,
      onProgress: (found) => onProgress?.({ stage: 'listing', found }),
      onUnreadable: () => (unreadable += 1),
    });
    const found = listed.length;
    onProgress?.({ stage: 'comparing', found });
    const plan = await planScan({
      folderId: folder.id,
      listed,
      seen: await db.seen(folder.id),
      sameSize: (sizes) => db.sameSize(sizes),
      hash,
    });
    signal?.throwIfAborted();
    if (!(await db.record(folder.id, [...plan.learned, ...plan.copies]))) return { status: 'removed' };

    let queued = 0;
    for (let start = 0; start < plan.toQueue.length; start += QUEUE_BATCH) {
      signal?.throwIfAborted();
      onProgress?.({ stage: 'queueing', found, queued, total: plan.toQueue.length });
      const batch = plan.toQueue.slice(start, start + QUEUE_BATCH);
      const items = await queueFiles(batch.map(({ listed }) => listed.file));
      if (items.length === 0) {
        const error = "Shoebox could not add this folder's new files to the backup queue.";
        await db.finishScan(folder.id, { error });
        return { status: 'failed', error };
      }
      const seen: SeenFile[] = [];
      batch.forEach(({ listed: { path, file }, sourceSha256 }, index) => {
        const item = items[index];
        // A file the device had no room for is a blocked item without its bytes: left unseen,
        // so the next scan queues it again once there is room.
        if (item === undefined || isNotStored(item)) return;
        seen.push({
          folderId: folder.id,
          path,
          size: file.size,
          lastModified: file.lastModified,
          sourceSha256,
          itemId: item.id,
        });
      });
      queued += seen.length;
      if (!(await db.record(folder.id, seen))) return { status: 'removed' };
    }
    const saved = await db.finishScan(folder.id, { at: now(), found, queued });
    if (saved === null) return { status: 'removed' };
    return { status: 'scanned', found, queued, copies: plan.copies.length, unreadable };
  } catch (error) {
    if (signal?.aborted === true) throw error;
    if (isPermissionError(error)) return { status: 'needs-permission' };
    const message = scanError(error);
    await db.finishScan(folder.id, { error: message });
    return { status: 'failed', error: message };
  }
}
