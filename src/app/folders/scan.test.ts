import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256OfBlob } from '../../media/hash';
import type { BackupFolder } from '../../queue/folder';
import type { QueueItem } from '../../queue/item';
import { QueueDb } from '../../queue/queueDb';
import { FolderDb } from './folderDb';
import { scanFolder } from './scan';
import type { ScanDeps, ScanProgress } from './scan';
import { FakeDirectoryHandle } from './testing/fakeHandles';

let queue: QueueDb;
let folders: FolderDb;
let root: FakeDirectoryHandle;
let folder: BackupFolder;
let hashed: string[];

const deps = (overrides: Partial<ScanDeps> = {}): ScanDeps => ({
  db: folders,
  queueFiles: (files) => queue.addFiles(files),
  hash: (file) => {
    hashed.push(file.name);
    return sha256OfBlob(file);
  },
  now: () => 5_000,
  ...overrides,
});

const queuedNames = async (): Promise<string[]> => (await queue.list()).map((item) => item.name);

beforeEach(async () => {
  const name = `folders-test-${crypto.randomUUID()}`;
  queue = await QueueDb.open({ name, notify: () => undefined });
  folders = await FolderDb.open({ name });
  root = new FakeDirectoryHandle('Camera');
  root.write('IMG_1.jpg', 'one');
  root.write('IMG_2.jpg', 'two!');
  root.write('2024/VID_3.mp4', 'three');
  root.write('.thumbnails/IMG_1.jpg', 'thumb');
  root.write('notes.txt', 'not a photo');
  // Stored through IndexedDB's structured clone, as a real handle is; the scan uses the live one.
  const stored = await folders.add(new FakeDirectoryHandle('Camera').asHandle(), 1_000);
  folder = { ...stored, handle: root.asHandle() };
  hashed = [];
});

afterEach(() => {
  queue.close();
  folders.close();
});

describe('scanFolder', () => {
  it('queues every photo and video on the first scan, and nothing on the next', async () => {
    const progress: ScanProgress[] = [];
    const first = await scanFolder(folder, deps({ onProgress: (step) => progress.push(step) }));
    expect(first).toEqual({ status: 'scanned', found: 3, queued: 3, copies: 0, unreadable: 0 });
    expect((await queuedNames()).sort()).toEqual(['IMG_1.jpg', 'IMG_2.jpg', 'VID_3.mp4']);
    expect(progress).toContainEqual({ stage: 'listing', found: 3 });
    expect(progress).toContainEqual({ stage: 'queueing', found: 3, queued: 0, total: 3 });
    expect(await folders.get(folder.id)).toMatchObject({
      lastScanAt: 5_000,
      lastFound: 3,
      lastQueued: 3,
      lastError: null,
    });
    // Sizes all differ: nothing needed hashing.
    expect(hashed).toEqual([]);

    const second = await scanFolder(folder, deps());
    expect(second).toEqual({ status: 'scanned', found: 3, queued: 0, copies: 0, unreadable: 0 });
    expect(await queue.list()).toHaveLength(3);
    expect(await folders.get(folder.id)).toMatchObject({ lastFound: 3, lastQueued: 0 });
  });

  it('queues only a new file, and a file changed in place', async () => {
    await scanFolder(folder, deps());
    root.write('IMG_4.jpg', 'four4');
    root.write('IMG_2.jpg', 'two! edited', 1_800_000_000_000);
    const result = await scanFolder(folder, deps());
    expect(result).toMatchObject({ status: 'scanned', found: 4, queued: 2 });
    expect((await queuedNames()).slice(3).sort()).toEqual(['IMG_2.jpg', 'IMG_4.jpg']);
  });

  it('does not queue a renamed file once the prepare step has hashed it', async () => {
    await scanFolder(folder, deps());
    const item = (await queue.list()).find((each) => each.name === 'IMG_1.jpg');
    if (item === undefined) throw new Error('IMG_1.jpg was not queued');
    // What the drain's prepare step does: the item's sourceSha256 becomes known.
    const sha = await sha256OfBlob(new Blob(['one']));
    await queue.markPreparing(item.id);
    await queue.markReady(item.id, { type: 'image/jpeg', sourceSha256: sha, sha256: sha, capturedAt: null });

    await queue.remove((await queue.list()).find((each) => each.name === 'IMG_2.jpg')?.id ?? '');
    const seen = await folders.seen(folder.id);
    expect(seen.get('IMG_1.jpg')).toMatchObject({ sourceSha256: sha, itemId: null });
    // Removed from the queue unhashed: nothing to learn, and no later scan asks again.
    expect(seen.get('IMG_2.jpg')).toMatchObject({ sourceSha256: null, itemId: null });
    expect(seen.get('2024/VID_3.mp4')).toMatchObject({
      sourceSha256: null,
      itemId: expect.any(String) as unknown,
    });

    root.rename('IMG_1.jpg', 'Holiday.jpg');
    const result = await scanFolder(folder, deps());
    expect(result).toEqual({ status: 'scanned', found: 3, queued: 0, copies: 1, unreadable: 0 });
    expect(await queue.list()).toHaveLength(2);
    // Only the renamed file was read; the original's hash came from its queue item.
    expect(hashed).toEqual(['Holiday.jpg']);
  });

  it('does not queue a copy of a file still in the folder, hashing the original once', async () => {
    await scanFolder(folder, deps());
    root.write('IMG_1 (copy).jpg', 'one');
    expect(await scanFolder(folder, deps())).toMatchObject({ queued: 0, copies: 1 });
    expect(hashed.sort()).toEqual(['IMG_1 (copy).jpg', 'IMG_1.jpg']);

    hashed = [];
    root.write('IMG_1 (copy 2).jpg', 'one');
    expect(await scanFolder(folder, deps())).toMatchObject({ queued: 0, copies: 1 });
    expect(hashed).toEqual(['IMG_1 (copy 2).jpg']);
    expect(await queue.list()).toHaveLength(3);
  });

  it('needs permission when the handle is no longer granted, and queues nothing', async () => {
    root.permission = 'prompt';
    expect(await scanFolder(folder, deps())).toEqual({ status: 'needs-permission' });
    expect(await queue.list()).toEqual([]);
    root.permission = 'granted';
    expect(await scanFolder(folder, deps())).toMatchObject({ status: 'scanned', queued: 3 });
  });

  it('says so when the folder is gone, keeping the counts of the last scan', async () => {
    await scanFolder(folder, deps());
    root.failure = new DOMException('A requested file or directory could not be found.', 'NotFoundError');
    const result = await scanFolder(folder, deps());
    expect(result).toMatchObject({ status: 'failed' });
    expect(await folders.get(folder.id)).toMatchObject({
      lastFound: 3,
      lastQueued: 3,
      lastError: expect.stringContaining("Shoebox can't find this folder any more") as unknown,
    });
  });

  it('leaves a file the device had no room for unseen, so the next scan queues it again', async () => {
    const blockedFirst = async (files: File[]): Promise<QueueItem[]> =>
      (await queue.addFiles(files)).map((item) =>
        item.name === 'IMG_2.jpg'
          ? { ...item, state: 'blocked', blobKey: null, cause: 'storage', reason: '' }
          : item,
      );
    expect(await scanFolder(folder, deps({ queueFiles: blockedFirst }))).toMatchObject({ queued: 2 });
    const again = await scanFolder(folder, deps());
    expect(again).toMatchObject({ queued: 1 });
    expect((await queuedNames()).at(-1)).toBe('IMG_2.jpg');
  });

  it('fails with a sentence when the queue takes nothing, and records nothing as seen', async () => {
    const result = await scanFolder(folder, deps({ queueFiles: () => Promise.resolve([]) }));
    expect(result).toEqual({
      status: 'failed',
      error: "Shoebox could not add this folder's new files to the backup queue.",
    });
    expect(await scanFolder(folder, deps())).toMatchObject({ queued: 3 });
  });

  it('forgets what a removed folder saw, and a scan running meanwhile does not bring it back', async () => {
    await scanFolder(folder, deps());
    expect((await folders.seen(folder.id)).size).toBe(3);
    await folders.remove(folder.id);
    expect((await folders.seen(folder.id)).size).toBe(0);
    expect(await folders.get(folder.id)).toBeUndefined();
    root.write('IMG_5.jpg', 'five5');
    expect(await scanFolder(folder, deps())).toEqual({ status: 'removed' });
    expect((await folders.seen(folder.id)).size).toBe(0);
    // What was already queued stays.
    expect(await queue.list()).toHaveLength(3);
  });
});
