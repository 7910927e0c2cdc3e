import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueueNotice } from './channel';
import type { QueueItem } from './item';
import { ADD_BATCH_SIZE, QueueDb, QueueItemNotFoundError, QueueTransitionError } from './queueDb';

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

async function readyItem(name = 'a.jpg'): Promise<QueueItem> {
  const [item] = await queue.addFiles([photo(name)]);
  if (item === undefined) throw new Error('not added');
  await queue.markPreparing(item.id);
  return queue.markReady(item.id, {
    type: 'image/jpeg',
    sourceSha256: HASH_A,
    sha256: HASH_A,
    capturedAt: null,
  });
}

describe('addFiles', () => {
  it('stores each file and a queued item, keeping the pick order', async () => {
    const added = await queue.addFiles([photo('one.jpg', 5), photo('two.jpg', 1), photo('three.jpg', 9)]);
    expect(added.map((item) => item.state)).toEqual(['queued', 'queued', 'queued']);

    const listed = await queue.list();
    expect(listed.map((item) => item.name)).toEqual(['one.jpg', 'two.jpg', 'three.jpg']);
    expect(listed.map((item) => item.size)).toEqual([5, 1, 9]);
    expect(listed[0]).toMatchObject({
      type: 'image/jpeg',
      lastModified: 1_700_000_000_000,
      attempts: 0,
      upload: null,
      sourceSha256: null,
    });

    const blob = await queue.getBlob(added[0]?.blobKey ?? '');
    expect(await blob?.text()).toBe('xxxxx');
  });

  it('writes in batches and reports progress per batch', async () => {
    const files = Array.from({ length: ADD_BATCH_SIZE * 2 + 1 }, (_, i) => photo(`p${i}.jpg`));
    const progress: number[] = [];
    await queue.addFiles(files, (added) => progress.push(added));
    expect(progress).toEqual([ADD_BATCH_SIZE, ADD_BATCH_SIZE * 2, ADD_BATCH_SIZE * 2 + 1]);
    expect(notices).toHaveLength(3);
    expect(await queue.list()).toHaveLength(files.length);
  });

  it('keeps no lastModified that a Blob-like file does not have', async () => {
    const [item] = await queue.addFiles([photo('x.jpg', 1, 0)]);
    expect(item?.lastModified).toBeNull();
  });
});

describe('transitions', () => {
  it('moves an item from queued to done and deletes its blob with the same transaction', async () => {
    const ready = await readyItem();
    expect(ready).toMatchObject({ state: 'ready', sourceSha256: HASH_A, sha256: HASH_A });

    await queue.markUploading(ready.id);
    await queue.setUploadProgress(ready.id, { url: 'http://x/api/uploads/1', offset: 3 });
    expect((await queue.get(ready.id))?.upload).toEqual({ url: 'http://x/api/uploads/1', offset: 3 });

    const done = await queue.markDone(ready.id, { assetId: 'asset-1', outcome: 'created' });
    expect(done).toMatchObject({
      state: 'done',
      assetId: 'asset-1',
      outcome: 'created',
      blobKey: null,
      upload: null,
    });
    expect(await queue.getBlob(ready.blobKey ?? '')).toBeUndefined();
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
    await expect(queue.markUploading(id)).rejects.toThrow(
      `Queue item ${id} cannot go from queued to uploading.`,
    );
    expect((await queue.get(id))?.state).toBe('queued');
  });

  it('counts failed attempts, keeps or forgets the upload, and requeues when due', async () => {
    const ready = await readyItem();
    await queue.markUploading(ready.id);
    await queue.setUploadProgress(ready.id, { url: 'u', offset: 1 });
    const failed = await queue.markFailed(ready.id, { error: 'Server down.', nextAttemptAt: 5_000 });
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: 'Server down.',
      upload: { url: 'u', offset: 1 },
    });

    expect(await queue.requeueDue(4_999)).toEqual([]);
    expect(await queue.requeueDue(5_000)).toEqual([ready.id]);
    const again = await queue.get(ready.id);
    expect(again).toMatchObject({ state: 'ready', attempts: 1, upload: { url: 'u', offset: 1 } });
    expect(again).not.toHaveProperty('error');

    await queue.markUploading(ready.id);
    const forgotten = await queue.markFailed(ready.id, {
      error: 'Bad bytes.',
      nextAttemptAt: 0,
      forgetUpload: true,
    });
    expect(forgotten).toMatchObject({ attempts: 2, upload: null });
  });

  it('requeues an unprepared failed item to be prepared again', async () => {
    const [item] = await queue.addFiles([photo('a.jpg')]);
    await queue.markPreparing(item?.id ?? '');
    await queue.markFailed(item?.id ?? '', { error: 'Disk hiccup.', nextAttemptAt: 0 });
    await queue.requeueDue(0);
    expect((await queue.get(item?.id ?? ''))?.state).toBe('queued');
  });

  it('skips with a reason and keeps the file until the user removes it', async () => {
    const [item] = await queue.addFiles([photo('empty.jpg')]);
    await queue.markPreparing(item?.id ?? '');
    const skipped = await queue.markSkipped(item?.id ?? '', 'This file is empty.');
    expect(skipped).toMatchObject({ state: 'skipped', reason: 'This file is empty.' });
    expect(await queue.getBlob(item?.blobKey ?? '')).toBeDefined();

    await queue.remove(item?.id ?? '');
    expect(await queue.get(item?.id ?? '')).toBeUndefined();
    expect(await queue.getBlob(item?.blobKey ?? '')).toBeUndefined();
  });

  it('retries a skipped item from the start', async () => {
    const ready = await readyItem();
    await queue.markSkipped(ready.id, 'Too large.');
    const retried = await queue.retry(ready.id);
    expect(retried).toMatchObject({ state: 'queued', sourceSha256: null, sha256: null });
  });

  it('blocks everything pending when signed out and unblocks it after sign-in', async () => {
    const ready = await readyItem('a.jpg');
    const [queued] = await queue.addFiles([photo('b.jpg')]);
    const doneItem = await readyItem('c.jpg');
    await queue.markDone(doneItem.id, { assetId: 'x', outcome: 'duplicate' });

    const blocked = await queue.blockPending({ cause: 'signed-out', reason: 'Sign in to continue backup' });
    expect(blocked.sort()).toEqual([ready.id, queued?.id].sort());
    expect(await queue.get(ready.id)).toMatchObject({
      state: 'blocked',
      reason: 'Sign in to continue backup',
    });
    expect((await queue.get(doneItem.id))?.state).toBe('done');

    expect(await queue.unblock('storage')).toEqual([]);
    await queue.unblock('signed-out');
    expect((await queue.get(ready.id))?.state).toBe('ready');
    expect((await queue.get(queued?.id ?? ''))?.state).toBe('queued');
  });

  it('puts items a crash left mid-work back where the drain starts, keeping the upload', async () => {
    const ready = await readyItem('a.jpg');
    await queue.markUploading(ready.id);
    await queue.setUploadProgress(ready.id, { url: 'u', offset: 8 });
    const [other] = await queue.addFiles([photo('b.jpg')]);
    await queue.markPreparing(other?.id ?? '');

    expect((await queue.resetStale()).sort()).toEqual([ready.id, other?.id].sort());
    expect(await queue.get(ready.id)).toMatchObject({ state: 'ready', upload: { url: 'u', offset: 8 } });
    expect((await queue.get(other?.id ?? ''))?.state).toBe('queued');
  });

  it('clears completed items only', async () => {
    const done = await readyItem('a.jpg');
    await queue.markDone(done.id, { assetId: 'x', outcome: 'created' });
    const pending = await readyItem('b.jpg');
    expect(await queue.clearCompleted()).toEqual([done.id]);
    expect((await queue.list()).map((item) => item.id)).toEqual([pending.id]);
  });

  it('announces each change with the ids it touched', async () => {
    const ready = await readyItem();
    notices.length = 0;
    await queue.markUploading(ready.id);
    expect(notices).toEqual([{ type: 'changed', ids: [ready.id] }]);
  });

  it('lists by state', async () => {
    const ready = await readyItem('a.jpg');
    await queue.addFiles([photo('b.jpg')]);
    const listed = await queue.listByState('ready');
    expect(listed.map((item) => item.id)).toEqual([ready.id]);
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

describe('items are discriminated by state', () => {
  it('gives done items their asset and hashes', async () => {
    const ready = await readyItem();
    const done = await queue.markDone(ready.id, { assetId: 'asset', outcome: 'created' });
    if (done.state !== 'done') throw new Error('expected done');
    // Compiles only because `done` narrows to DoneItem.
    const fields: [string, string] = [done.assetId, done.sha256];
    expect(fields).toEqual(['asset', HASH_A]);
  });
});

describe('issue 3: upload copies, owners and running out of storage', () => {
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
    expect(ready).toMatchObject({ uploadBlobKey: `${id}/upload`, uploadSize: 5, note: 'Resized to 16 MP.' });
    expect(await (await queue.getBlob(`${id}/upload`))?.text()).toBe('small');
    expect(await queue.getBlob(`${id}/original`)).toBeDefined();

    await queue.markUploading(id);
    await queue.markDone(id, { assetId: 'asset-1', outcome: 'created' });
    expect(await queue.getBlob(`${id}/upload`)).toBeUndefined();
    expect(await queue.getBlob(`${id}/original`)).toBeUndefined();
  });

  it('removes both blobs with the item', async () => {
    const [item] = await queue.addFiles([photo('a.jpg')]);
    const id = item?.id ?? '';
    await queue.markPreparing(id);
    await queue.markReady(id, {
      type: 'image/jpeg',
      sourceSha256: HASH_A,
      sha256: HASH_A,
      capturedAt: null,
      uploadBlob: new Blob(['copy']),
    });
    await queue.remove(id);
    expect(await queue.getBlob(`${id}/upload`)).toBeUndefined();
    expect(await queue.getBlob(`${id}/original`)).toBeUndefined();
  });

  it("records the owner and blocks other accounts' items until their owner signs in", async () => {
    await queue.addFiles([photo('mine.jpg')], { owner: { id: 'u1', email: 'ada@example.com' } });
    await queue.addFiles([photo('theirs.jpg')], { owner: { id: 'u2', email: 'bob@example.com' } });
    await queue.addFiles([photo('legacy.jpg')]);
    await queue.assignToAccount('u1');
    const byName = Object.fromEntries((await queue.list()).map((item) => [item.name, item]));
    expect(byName['mine.jpg']).toMatchObject({ state: 'queued', ownerId: 'u1' });
    expect(byName['legacy.jpg']?.state).toBe('queued');
    expect(byName['theirs.jpg']).toMatchObject({
      state: 'blocked',
      cause: 'other-account',
      reason: 'Sign in as bob@example.com to back this up.',
    });

    await queue.assignToAccount('u2');
    const after = Object.fromEntries((await queue.list()).map((item) => [item.name, item.state]));
    expect(after).toEqual({ 'mine.jpg': 'blocked', 'theirs.jpg': 'queued', 'legacy.jpg': 'queued' });
  });

  it('blocks a file the device has no room for, keeping everything queued before it', async () => {
    await queue.addFiles([photo('kept.jpg')]);
    const internals = queue as unknown as {
      putNew: (batch: { item: QueueItem; file: File }[]) => Promise<void>;
    };
    const putNew = internals.putNew.bind(queue);
    internals.putNew = (batch) =>
      batch.some(({ file }) => file.name === 'huge.jpg')
        ? Promise.reject(new DOMException('Quota exceeded', 'QuotaExceededError'))
        : putNew(batch);

    const added = await queue.addFiles([photo('one.jpg'), photo('huge.jpg'), photo('two.jpg')]);

    expect(added.map((item) => item.state)).toEqual(['queued', 'blocked', 'queued']);
    const states = Object.fromEntries((await queue.list()).map((item) => [item.name, item]));
    expect(states['kept.jpg']?.state).toBe('queued');
    expect(states['huge.jpg']).toMatchObject({ state: 'blocked', cause: 'storage', blobKey: null });
    expect(states['two.jpg']?.state).toBe('queued');
  });
});

describe('issue 4: video poster frames', () => {
  async function readyVideo(): Promise<{ id: string; ready: QueueItem }> {
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
    return { id, ready };
  }

  it('stores the poster frame under its own key and keeps it through every state until done', async () => {
    const { id, ready } = await readyVideo();
    expect(ready.posterBlobKey).toBe(`${id}/poster`);
    expect(await (await queue.getBlob(`${id}/poster`))?.text()).toBe('frame');

    expect((await queue.markUploading(id)).posterBlobKey).toBe(`${id}/poster`);
    expect((await queue.setUploadProgress(id, { url: 'u', offset: 1 })).posterBlobKey).toBe(`${id}/poster`);
    expect((await queue.markFailed(id, { error: 'e', nextAttemptAt: 0 })).posterBlobKey).toBe(`${id}/poster`);
    await queue.requeueDue(1);
    expect((await queue.get(id))?.posterBlobKey).toBe(`${id}/poster`);
    await queue.blockPending({ cause: 'signed-out', reason: 'r' });
    expect((await queue.get(id))?.posterBlobKey).toBe(`${id}/poster`);
    await queue.unblock('signed-out');
    expect((await queue.get(id))?.posterBlobKey).toBe(`${id}/poster`);
    await queue.markUploading(id);
    await queue.resetStale();
    expect((await queue.get(id))?.posterBlobKey).toBe(`${id}/poster`);

    const done = await queue.markDone(id, { assetId: 'asset-1', outcome: 'created' });
    expect(done.posterBlobKey).toBeNull();
    expect(await queue.getBlob(`${id}/poster`)).toBeUndefined();
    expect(await queue.getBlob(`${id}/original`)).toBeUndefined();
  });

  it('deletes the poster frame with a removed item', async () => {
    const { id } = await readyVideo();
    await queue.remove(id);
    expect(await queue.getBlob(`${id}/poster`)).toBeUndefined();
  });

  it('drops the poster frame of a skipped item prepared again, and records a note on done', async () => {
    const { id } = await readyVideo();
    await queue.markSkipped(id, 'Too long.');
    expect((await queue.get(id))?.posterBlobKey).toBe(`${id}/poster`);
    const retried = await queue.retry(id);
    expect(retried).toMatchObject({ state: 'queued', posterBlobKey: null });
    expect(await queue.getBlob(`${id}/poster`)).toBeUndefined();

    await queue.markPreparing(id);
    await queue.markReady(id, { type: 'video/mp4', sourceSha256: HASH_A, sha256: HASH_A, capturedAt: null });
    const done = await queue.markDone(id, { assetId: 'a', outcome: 'created', note: 'No preview frame.' });
    expect(done.note).toBe('No preview frame.');
  });
});
