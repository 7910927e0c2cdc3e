import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADD_BATCH_BYTES, ADD_BATCH_SIZE, OUT_OF_STORAGE_REASON } from './adding';
import type { QueueNotice } from './channel';
import type { QueueItem, ReadyItem } from './item';
import { QueueDb, QueueItemNotFoundError, QueueTransitionError } from './queueDb';

const HASH_A = 'a'.repeat(64);

function photo(name: string, bytes = 3, lastModified = 1_700_000_000_000): File {
  return new File(['x'.repeat(bytes)], name, { type: 'image/jpeg', lastModified });
}

let queue: QueueDb;
let notices: QueueNotice[];
let clock: number;

beforeEach(async () => {
  notices = [];
  clock = 1_000;
  queue = await QueueDb.open({
    name: `queue-test-${crypto.randomUUID()}`,
    notify: (notice) => notices.push(notice),
    now: () => clock,
  });
});

afterEach(() => queue.close());

const failure = (error: string, options: { forgetUpload?: boolean } = {}) => ({
  error,
  now: clock,
  delay: (attempts: number) => attempts * 1_000,
  ...options,
});

async function readyItem(name = 'a.jpg', size = 3): Promise<ReadyItem> {
  const [item] = await queue.addFiles([photo(name, size)]);
  if (item === undefined) throw new Error('not added');
  await queue.markPreparing(item.id);
  return queue.markReady(item.id, {
    type: 'image/jpeg',
    sourceSha256: HASH_A,
    sha256: HASH_A,
    capturedAt: null,
  });
}

async function byName(): Promise<Record<string, QueueItem>> {
  return Object.fromEntries((await queue.list()).map((item) => [item.name, item]));
}

describe('addFiles', () => {
  it('stores each file and a queued item, keeping the pick order', async () => {
    const added = await queue.addFiles([photo('one.jpg', 5), photo('two.jpg', 1), photo('three.jpg', 9)]);
    expect(added.map((item) => item.state)).toEqual(['queued', 'queued', 'queued']);

    const listed = await queue.list();
    expect(listed.map((item) => item.name)).toEqual(['one.jpg', 'two.jpg', 'three.jpg']);
    expect(listed.map((item) => item.size)).toEqual([5, 1, 9]);
    expect(listed[0]).toEqual({
      id: added[0]?.id,
      state: 'queued',
      name: 'one.jpg',
      size: 5,
      type: 'image/jpeg',
      rank: 0,
      addedAt: 1_000,
      lastModified: 1_700_000_000_000,
      owner: null,
      blobKey: `${added[0]?.id}/original`,
    });
    expect(await (await queue.getBlob(`${added[0]?.id}/original`))?.text()).toBe('xxxxx');
  });

  it('writes in batches of files and of bytes, announcing each batch with its items', async () => {
    const files = Array.from({ length: ADD_BATCH_SIZE * 2 + 1 }, (_, i) => photo(`p${i}.jpg`));
    const progress: number[] = [];
    await queue.addFiles(files, { onProgress: (added) => progress.push(added) });
    expect(progress).toEqual([ADD_BATCH_SIZE, ADD_BATCH_SIZE * 2, ADD_BATCH_SIZE * 2 + 1]);
    expect(notices.map((notice) => (notice.type === 'items' ? notice.items.length : 0))).toEqual([
      ADD_BATCH_SIZE,
      ADD_BATCH_SIZE,
      1,
    ]);
    expect(await queue.list()).toHaveLength(files.length);

    progress.length = 0;
    const third = Math.ceil(ADD_BATCH_BYTES / 3);
    await queue.addFiles(
      ['a', 'b', 'c', 'd'].map((name) => photo(`${name}.jpg`, third)),
      {
        onProgress: (added) => progress.push(added),
      },
    );
    expect(progress).toEqual([2, 4]);
  });

  it('keeps no lastModified that a Blob-like file does not have', async () => {
    const [item] = await queue.addFiles([photo('x.jpg', 1, 0)]);
    expect(item?.lastModified).toBeNull();
  });
});

describe('transitions', () => {
  it('takes an item from queued to done and deletes its blob in the same transaction', async () => {
    const ready = await readyItem();
    expect(ready).toMatchObject({
      state: 'ready',
      prepared: { sourceSha256: HASH_A, sha256: HASH_A, copy: null, posterKey: null },
      upload: null,
      attempts: 0,
    });

    await queue.markUploading(ready.id);
    await queue.setUploadProgress(ready.id, { url: 'http://x/api/uploads/1', offset: 3 });
    expect(await queue.get(ready.id)).toMatchObject({ upload: { url: 'http://x/api/uploads/1', offset: 3 } });

    const done = await queue.markDone(ready.id, { assetId: 'asset-1', outcome: 'created' });
    expect(done).toEqual({
      id: ready.id,
      state: 'done',
      name: 'a.jpg',
      size: 3,
      type: 'image/jpeg',
      rank: 0,
      addedAt: ready.addedAt,
      lastModified: ready.lastModified,
      owner: null,
      sourceSha256: HASH_A,
      sha256: HASH_A,
      capturedAt: null,
      assetId: 'asset-1',
      outcome: 'created',
      note: null,
    });
    expect(await queue.getBlob(ready.blobKey)).toBeUndefined();
  });

  it('says clearly when the item does not exist', async () => {
    await expect(queue.markPreparing('nope')).rejects.toThrow(QueueItemNotFoundError);
    await expect(queue.markDone('nope', { assetId: 'a', outcome: 'created' })).rejects.toThrow(
      'Queue item nope does not exist.',
    );
    await expect(queue.remove('nope')).rejects.toThrow(QueueItemNotFoundError);
  });

  it('refuses a transition from the wrong state and changes nothing', async () => {
    const [item] = await queue.addFiles([photo('a.jpg')]);
    const id = item?.id ?? '';
    await expect(queue.markUploading(id)).rejects.toThrow(QueueTransitionError);
    await expect(queue.markUploading(id)).rejects.toThrow(`Queue item ${id} cannot leave queued that way.`);
    expect((await queue.get(id))?.state).toBe('queued');
  });

  it('claims queued items in upload order: photos before videos, small before large, oldest first', async () => {
    await queue.addFiles([
      new File(['v'], 'clip.mp4', { type: 'video/mp4' }),
      photo('big.jpg', 9),
      photo('small-old.jpg', 2),
      photo('small-new.jpg', 2),
    ]);
    const claimed: string[] = [];
    for (let item = await queue.claimNextQueued(); item !== null; item = await queue.claimNextQueued()) {
      expect(item.state).toBe('preparing');
      claimed.push(item.name);
    }
    expect(claimed).toEqual(['small-old.jpg', 'small-new.jpg', 'big.jpg', 'clip.mp4']);
  });

  it('pages ready items in upload order', async () => {
    const sizes = [5, 1, 4, 2, 3];
    for (const [at, size] of sizes.entries()) await readyItem(`${at}.jpg`, size);
    const first = await queue.readyAfter(null, 2);
    expect(first.map((item) => item.size)).toEqual([1, 2]);
    const last = first.at(-1);
    if (last === undefined) throw new Error('empty page');
    const rest = await queue.readyAfter(['ready', last.rank, last.size, last.addedAt, last.id], 10);
    expect(rest.map((item) => item.size)).toEqual([3, 4, 5]);
  });
});

describe('failures and retries', () => {
  it('counts only failures without progress, keeps or forgets the upload, and requeues when due', async () => {
    const ready = await readyItem();
    await queue.markUploading(ready.id);
    const first = await queue.markFailed(ready.id, failure('Server down.'));
    expect(first).toMatchObject({
      state: 'failed',
      attempts: 1,
      nextAttemptAt: clock + 1_000,
      error: 'Server down.',
    });

    expect(await queue.requeueDue(clock + 999)).toEqual([]);
    expect((await queue.requeueDue(clock + 1_000)).map((item) => item.id)).toEqual([ready.id]);
    await queue.markUploading(ready.id);
    const second = await queue.markFailed(ready.id, failure('Still down.'));
    expect(second).toMatchObject({ attempts: 2, nextAttemptAt: clock + 2_000 });

    // This attempt got a chunk through before failing: it retries as soon as a first failure would.
    await queue.requeueDue(clock + 2_000);
    await queue.markUploading(ready.id);
    await queue.setUploadProgress(ready.id, { url: 'u', offset: 2 });
    const progressed = await queue.markFailed(ready.id, failure('Dropped.'));
    expect(progressed).toMatchObject({
      attempts: 1,
      nextAttemptAt: clock + 1_000,
      upload: { url: 'u', offset: 2 },
    });

    await queue.requeueDue(clock + 1_000);
    expect(await queue.get(ready.id)).toMatchObject({
      state: 'ready',
      attempts: 1,
      upload: { url: 'u', offset: 2 },
    });
    expect(await queue.get(ready.id)).not.toHaveProperty('error');
    await queue.markUploading(ready.id);
    expect(await queue.markFailed(ready.id, failure('Bad bytes.', { forgetUpload: true }))).toMatchObject({
      attempts: 2,
      upload: null,
    });
  });

  it('knows when the first failed item is due, without reading the others', async () => {
    expect(await queue.nextAttemptAt()).toBeNull();
    const a = await readyItem('a.jpg');
    const b = await readyItem('b.jpg');
    await queue.markFailed(a.id, { ...failure('x'), delay: () => 5_000 });
    await queue.markFailed(b.id, { ...failure('x'), delay: () => 3_000 });
    expect(await queue.nextAttemptAt()).toBe(clock + 3_000);
  });

  it('skips with a reason, keeping the file as picked but not the copy or poster frame', async () => {
    const [item] = await queue.addFiles([photo('a.jpg')]);
    const id = item?.id ?? '';
    await queue.markPreparing(id);
    await queue.markReady(id, {
      type: 'image/jpeg',
      sourceSha256: HASH_A,
      sha256: HASH_A,
      capturedAt: null,
      uploadBlob: new Blob(['copy']),
      posterBlob: new Blob(['frame']),
    });
    const skipped = await queue.markSkipped(id, 'Too large.');
    expect(skipped).toMatchObject({ state: 'skipped', reason: 'Too large.', blobKey: `${id}/original` });
    expect(await queue.getBlob(`${id}/original`)).toBeDefined();
    expect(await queue.getBlob(`${id}/upload`)).toBeUndefined();
    expect(await queue.getBlob(`${id}/poster`)).toBeUndefined();

    expect(await queue.retry(id)).toMatchObject({ state: 'queued', blobKey: `${id}/original` });
    await queue.remove(id);
    expect(await queue.get(id)).toBeUndefined();
    expect(await queue.getBlob(`${id}/original`)).toBeUndefined();
  });

  it('retries a failed item at once, from its upload', async () => {
    const ready = await readyItem();
    await queue.markUploading(ready.id);
    await queue.setUploadProgress(ready.id, { url: 'u', offset: 1 });
    await queue.markFailed(ready.id, failure('x'));
    expect(await queue.retry(ready.id)).toMatchObject({
      state: 'ready',
      attempts: 0,
      upload: { url: 'u', offset: 1 },
    });
  });
});

describe('bulk transitions', () => {
  it('blocks everything pending when signed out, and resumes each where it stopped', async () => {
    const ready = await readyItem('a.jpg');
    const [queued] = await queue.addFiles([photo('b.jpg')]);
    const doneItem = await readyItem('c.jpg');
    await queue.markDone(doneItem.id, { assetId: 'x', outcome: 'duplicate' });

    const blocked = await queue.blockPending('signed-out', 'Sign in to continue backup');
    expect(blocked.map((item) => item.id).sort()).toEqual([ready.id, queued?.id].sort());
    expect(await queue.get(ready.id)).toMatchObject({
      state: 'blocked',
      cause: 'signed-out',
      reason: 'Sign in to continue backup',
      resume: { state: 'ready', prepared: { sourceSha256: HASH_A } },
    });
    expect((await queue.get(doneItem.id))?.state).toBe('done');

    expect(await queue.unblock('storage')).toEqual([]);
    await queue.unblock('signed-out');
    expect(await queue.get(ready.id)).toMatchObject({ state: 'ready', prepared: { sourceSha256: HASH_A } });
    expect((await queue.get(queued?.id ?? ''))?.state).toBe('queued');
  });

  it('puts items a crash left mid-work back where the drain starts, keeping the upload', async () => {
    const ready = await readyItem('a.jpg');
    await queue.markUploading(ready.id);
    await queue.setUploadProgress(ready.id, { url: 'u', offset: 8 });
    const [other] = await queue.addFiles([photo('b.jpg')]);
    await queue.markPreparing(other?.id ?? '');

    expect((await queue.resetStale()).map((item) => item.id).sort()).toEqual([ready.id, other?.id].sort());
    expect(await queue.get(ready.id)).toMatchObject({ state: 'ready', upload: { url: 'u', offset: 8 } });
    expect((await queue.get(other?.id ?? ''))?.state).toBe('queued');
  });

  it("records the owner and blocks other accounts' items until their owner signs in", async () => {
    await queue.addFiles([photo('mine.jpg')], { owner: { id: 'u1', email: 'ada@example.com' } });
    await queue.addFiles([photo('theirs.jpg')], { owner: { id: 'u2', email: 'bob@example.com' } });
    await queue.addFiles([photo('shared.jpg')]);
    await queue.assignToAccount('u1');
    const items = await byName();
    expect(items['mine.jpg']).toMatchObject({ state: 'queued', owner: { id: 'u1' } });
    expect(items['shared.jpg']?.state).toBe('queued');
    expect(items['theirs.jpg']).toMatchObject({
      state: 'blocked',
      cause: 'other-account',
      reason: 'Sign in as bob@example.com to back this up.',
    });

    await queue.assignToAccount('u2');
    const after = Object.fromEntries((await queue.list()).map((item) => [item.name, item.state]));
    expect(after).toEqual({ 'mine.jpg': 'blocked', 'theirs.jpg': 'queued', 'shared.jpg': 'queued' });
  });

  it('clears completed items only, and announces what it removed', async () => {
    const done = await readyItem('a.jpg');
    await queue.markDone(done.id, { assetId: 'x', outcome: 'created' });
    const pending = await readyItem('b.jpg');
    notices.length = 0;
    expect(await queue.clearCompleted()).toEqual([done.id]);
    expect((await queue.list()).map((item) => item.id)).toEqual([pending.id]);
    expect(notices).toEqual([{ type: 'removed', ids: [done.id] }]);
  });

  it('announces each change with the item as written', async () => {
    const ready = await readyItem();
    notices.length = 0;
    const uploading = await queue.markUploading(ready.id);
    expect(notices).toEqual([{ type: 'items', items: [uploading] }]);
  });

  it('counts items per state from the index', async () => {
    await readyItem('a.jpg');
    await queue.addFiles([photo('b.jpg'), photo('c.jpg')]);
    expect(await queue.counts()).toMatchObject({ queued: 2, ready: 1, done: 0 });
    expect(await queue.pendingCount()).toBe(3);
    expect((await queue.listByState('ready')).map((item) => item.name)).toEqual(['a.jpg']);
  });
});

describe('settings', () => {
  it('keeps the last limits', async () => {
    expect(await queue.getSetting('limits')).toBeUndefined();
    const limits = { maxPhotoBytes: 1, maxPhotoPixels: 2, maxVideoBytes: 3 };
    await queue.setSetting('limits', limits);
    expect(await queue.getSetting('limits')).toEqual(limits);
  });
});

describe('copies, posters and running out of storage', () => {
  it("stores Storage saver's copy beside the original and deletes both once done", async () => {
    const [item] = await queue.addFiles([photo('big.jpg', 10)]);
    const id = item?.id ?? '';
    await queue.markPreparing(id);
    const ready = await queue.markReady(id, {
      type: 'image/jpeg',
      sourceSha256: HASH_A,
      sha256: 'b'.repeat(64),
      capturedAt: null,
      uploadBlob: new Blob(['small']),
      note: 'Resized to 16 MP.',
    });
    expect(ready.prepared).toMatchObject({
      copy: { key: `${id}/upload`, size: 5 },
      note: 'Resized to 16 MP.',
    });
    expect(await (await queue.getBlob(`${id}/upload`))?.text()).toBe('small');

    await queue.markUploading(id);
    const done = await queue.markDone(id, { assetId: 'asset-1', outcome: 'created' });
    expect(done.note).toBe('Resized to 16 MP.');
    expect(await queue.getBlob(`${id}/upload`)).toBeUndefined();
    expect(await queue.getBlob(`${id}/original`)).toBeUndefined();
  });

  it('keeps a poster frame through every state until done, and deletes it with a removed item', async () => {
    const add = async (): Promise<string> => {
      const [item] = await queue.addFiles([new File(['video bytes'], 'clip.mp4', { type: 'video/mp4' })]);
      const id = item?.id ?? '';
      await queue.markPreparing(id);
      const ready = await queue.markReady(id, {
        type: 'video/mp4',
        sourceSha256: HASH_A,
        sha256: HASH_A,
        capturedAt: null,
        posterBlob: new Blob(['frame'], { type: 'image/webp' }),
      });
      expect(ready).toMatchObject({ rank: 1, prepared: { posterKey: `${id}/poster` } });
      return id;
    };
    const id = await add();
    await queue.markUploading(id);
    await queue.markFailed(id, failure('e'));
    await queue.requeueDue(clock + 60_000);
    await queue.blockPending('signed-out', 'r');
    await queue.unblock('signed-out');
    await queue.markUploading(id);
    await queue.resetStale();
    expect(await queue.get(id)).toMatchObject({ state: 'ready', prepared: { posterKey: `${id}/poster` } });
    expect(await (await queue.getBlob(`${id}/poster`))?.text()).toBe('frame');
    const done = await queue.markDone(id, {
      assetId: 'asset-1',
      outcome: 'created',
      note: 'No preview frame.',
    });
    expect(done.note).toBe('No preview frame.');
    expect(await queue.getBlob(`${id}/poster`)).toBeUndefined();

    const removed = await add();
    await queue.remove(removed);
    expect(await queue.getBlob(`${removed}/poster`)).toBeUndefined();
  });

  it('lists every file the device has no room for, keeping everything queued before it', async () => {
    await queue.addFiles([photo('kept.jpg')]);
    // A write that does not fit fails with QuotaExceededError and aborts its transaction, as in
    // Chromium: nothing of that transaction is written.
    const fakeIdb = (await import('fake-indexeddb')) as unknown as {
      IDBObjectStore: { prototype: { put: (this: IDBObjectStore, ...args: unknown[]) => IDBRequest } };
    };
    interface FakeTransaction {
      _execRequestAsync(request: { operation: () => never; source: IDBObjectStore }): IDBRequest;
    }
    const proto = fakeIdb.IDBObjectStore.prototype;
    const put = proto.put;
    const room = 5;
    proto.put = function (this: IDBObjectStore, ...args: unknown[]) {
      const [value] = args;
      if (!(value instanceof File) || value.size <= room) return put.apply(this, args);
      return (this.transaction as unknown as FakeTransaction)._execRequestAsync({
        source: this,
        operation: () => {
          throw new DOMException('Quota exceeded', 'QuotaExceededError');
        },
      });
    };
    try {
      const added = await queue.addFiles([
        photo('one.jpg', 2),
        photo('huge.jpg', 50),
        photo('small.jpg', 3),
        photo('large.jpg', 60),
      ]);
      expect(added.map((item) => item.state)).toEqual(['queued', 'blocked', 'queued', 'blocked']);
    } finally {
      proto.put = put;
    }
    const items = await byName();
    expect(items['kept.jpg']?.state).toBe('queued');
    expect(items['huge.jpg']).toMatchObject({
      state: 'blocked',
      cause: 'storage',
      reason: OUT_OF_STORAGE_REASON,
    });
    expect(items['large.jpg']).toMatchObject({ state: 'blocked', cause: 'storage' });
    expect(await queue.getBlob(`${items['huge.jpg']?.id}/original`)).toBeUndefined();
    expect(await queue.retry(items['huge.jpg']?.id ?? '').catch((error: unknown) => error)).toBeInstanceOf(
      QueueTransitionError,
    );
  });
});
