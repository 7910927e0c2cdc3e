import { describe, expect, it } from 'vitest';
import { QueueItemNotFoundError, QueueTransitionError } from './queueDb';
import { HASH_A, photo, useTestQueue } from './testing/testQueue';

const t = useTestQueue();

describe('transitions', () => {
  it('takes an item from queued to done and deletes its blob in the same transaction', async () => {
    const ready = await t.readyItem();
    expect(ready).toMatchObject({
      state: 'ready',
      prepared: { sourceSha256: HASH_A, sha256: HASH_A, copy: null, posterKey: null },
      upload: null,
      attempts: 0,
    });

    await t.queue.markUploading(ready.id);
    await t.queue.setUploadProgress(ready.id, { url: 'http://x/api/uploads/1', offset: 3 });
    expect(await t.queue.get(ready.id)).toMatchObject({
      upload: { url: 'http://x/api/uploads/1', offset: 3 },
    });

    const done = await t.queue.markDone(ready.id, { assetId: 'asset-1', outcome: 'created' });
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
    expect(await t.queue.getBlob(ready.blobKey)).toBeUndefined();
  });

  it('says clearly when the item does not exist', async () => {
    await expect(t.queue.markPreparing('nope')).rejects.toThrow(QueueItemNotFoundError);
    await expect(t.queue.markDone('nope', { assetId: 'a', outcome: 'created' })).rejects.toThrow(
      'Queue item nope does not exist.',
    );
    await expect(t.queue.remove('nope')).rejects.toThrow(QueueItemNotFoundError);
  });

  it('refuses a transition from the wrong state and changes nothing', async () => {
    const [item] = await t.queue.addFiles([photo('a.jpg')]);
    const id = item?.id ?? '';
    await expect(t.queue.markUploading(id)).rejects.toThrow(QueueTransitionError);
    await expect(t.queue.markUploading(id)).rejects.toThrow(`Queue item ${id} cannot leave queued that way.`);
    expect((await t.queue.get(id))?.state).toBe('queued');
  });

  it('claims queued items in upload order: photos before videos, small before large, oldest first', async () => {
    await t.queue.addFiles([
      new File(['v'], 'clip.mp4', { type: 'video/mp4' }),
      photo('big.jpg', 9),
      photo('small-old.jpg', 2),
      photo('small-new.jpg', 2),
    ]);
    const claimed: string[] = [];
    for (let item = await t.queue.claimNextQueued(); item !== null; item = await t.queue.claimNextQueued()) {
      expect(item.state).toBe('preparing');
      claimed.push(item.name);
    }
    expect(claimed).toEqual(['small-old.jpg', 'small-new.jpg', 'big.jpg', 'clip.mp4']);
  });

  it('pages ready items in upload order', async () => {
    const sizes = [5, 1, 4, 2, 3];
    for (const [at, size] of sizes.entries()) await t.readyItem(`${at}.jpg`, size);
    const first = await t.queue.readyAfter(null, 2);
    expect(first.map((item) => item.size)).toEqual([1, 2]);
    const last = first.at(-1);
    if (last === undefined) throw new Error('empty page');
    const rest = await t.queue.readyAfter(['ready', last.rank, last.size, last.addedAt, last.id], 10);
    expect(rest.map((item) => item.size)).toEqual([3, 4, 5]);
  });
});

describe('failures and retries', () => {
  it('counts only failures without progress, keeps or forgets the upload, and requeues when due', async () => {
    const ready = await t.readyItem();
    await t.queue.markUploading(ready.id);
    const first = await t.queue.markFailed(ready.id, t.failure('Server down.'));
    expect(first).toMatchObject({
      state: 'failed',
      attempts: 1,
      nextAttemptAt: t.clock + 1_000,
      error: 'Server down.',
    });

    expect(await t.queue.requeueDue(t.clock + 999)).toEqual([]);
    expect((await t.queue.requeueDue(t.clock + 1_000)).map((item) => item.id)).toEqual([ready.id]);
    await t.queue.markUploading(ready.id);
    const second = await t.queue.markFailed(ready.id, t.failure('Still down.'));
    expect(second).toMatchObject({ attempts: 2, nextAttemptAt: t.clock + 2_000 });

    // This attempt got a chunk through before failing: it retries as soon as a first failure would.
    await t.queue.requeueDue(t.clock + 2_000);
    await t.queue.markUploading(ready.id);
    await t.queue.setUploadProgress(ready.id, { url: 'u', offset: 2 });
    const progressed = await t.queue.markFailed(ready.id, t.failure('Dropped.'));
    expect(progressed).toMatchObject({
      attempts: 1,
      nextAttemptAt: t.clock + 1_000,
      upload: { url: 'u', offset: 2 },
    });

    await t.queue.requeueDue(t.clock + 1_000);
    expect(await t.queue.get(ready.id)).toMatchObject({
      state: 'ready',
      attempts: 1,
      upload: { url: 'u', offset: 2 },
    });
    expect(await t.queue.get(ready.id)).not.toHaveProperty('error');
    await t.queue.markUploading(ready.id);
    expect(await t.queue.markFailed(ready.id, t.failure('Bad bytes.', { forgetUpload: true }))).toMatchObject(
      {
        attempts: 2,
        upload: null,
      },
    );
  });

  it('knows when the first failed item is due, without reading the others', async () => {
    expect(await t.queue.nextAttemptAt()).toBeNull();
    const a = await t.readyItem('a.jpg');
    const b = await t.readyItem('b.jpg');
    await t.queue.markFailed(a.id, { ...t.failure('x'), delay: () => 5_000 });
    await t.queue.markFailed(b.id, { ...t.failure('x'), delay: () => 3_000 });
    expect(await t.queue.nextAttemptAt()).toBe(t.clock + 3_000);
  });

  it('skips with a reason, keeping the file as picked but not the copy or poster frame', async () => {
    const [item] = await t.queue.addFiles([photo('a.jpg')]);
    const id = item?.id ?? '';
    await t.queue.markPreparing(id);
    await t.queue.markReady(id, {
      type: 'image/jpeg',
      sourceSha256: HASH_A,
      sha256: HASH_A,
      capturedAt: null,
      uploadBlob: new Blob(['copy']),
      posterBlob: new Blob(['frame']),
    });
    const skipped = await t.queue.markSkipped(id, 'Too large.');
    expect(skipped).toMatchObject({ state: 'skipped', reason: 'Too large.', blobKey: `${id}/original` });
    expect(await t.queue.getBlob(`${id}/original`)).toBeDefined();
    expect(await t.queue.getBlob(`${id}/upload`)).toBeUndefined();
    expect(await t.queue.getBlob(`${id}/poster`)).toBeUndefined();

    expect(await t.queue.retry(id)).toMatchObject({ state: 'queued', blobKey: `${id}/original` });
    await t.queue.remove(id);
    expect(await t.queue.get(id)).toBeUndefined();
    expect(await t.queue.getBlob(`${id}/original`)).toBeUndefined();
  });

  it('retries a failed item at once, from its upload', async () => {
    const ready = await t.readyItem();
    await t.queue.markUploading(ready.id);
    await t.queue.setUploadProgress(ready.id, { url: 'u', offset: 1 });
    await t.queue.markFailed(ready.id, t.failure('x'));
    expect(await t.queue.retry(ready.id)).toMatchObject({
      state: 'ready',
      attempts: 0,
      upload: { url: 'u', offset: 1 },
    });
  });
});

describe('settings', () => {
  it('keeps the last limits', async () => {
    expect(await t.queue.getSetting('limits')).toBeUndefined();
    const limits = { maxPhotoBytes: 1, maxPhotoPixels: 2, maxVideoBytes: 3 };
    await t.queue.setSetting('limits', limits);
    expect(await t.queue.getSetting('limits')).toEqual(limits);
  });
});

describe('copies and poster frames', () => {
  it("stores Storage saver's copy beside the original and deletes both once done", async () => {
    const [item] = await t.queue.addFiles([photo('big.jpg', 10)]);
    const id = item?.id ?? '';
    await t.queue.markPreparing(id);
    const ready = await t.queue.markReady(id, {
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
    expect(await (await t.queue.getBlob(`${id}/upload`))?.text()).toBe('small');

    await t.queue.markUploading(id);
    const done = await t.queue.markDone(id, { assetId: 'asset-1', outcome: 'created' });
    expect(done.note).toBe('Resized to 16 MP.');
    expect(await t.queue.getBlob(`${id}/upload`)).toBeUndefined();
    expect(await t.queue.getBlob(`${id}/original`)).toBeUndefined();
  });

  it('keeps a poster frame through every state until done, and deletes it with a removed item', async () => {
    const add = async (): Promise<string> => {
      const [item] = await t.queue.addFiles([new File(['video bytes'], 'clip.mp4', { type: 'video/mp4' })]);
      const id = item?.id ?? '';
      await t.queue.markPreparing(id);
      const ready = await t.queue.markReady(id, {
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
    await t.queue.markUploading(id);
    await t.queue.markFailed(id, t.failure('e'));
    await t.queue.requeueDue(t.clock + 60_000);
    await t.queue.blockPending('signed-out', 'r');
    await t.queue.unblock('signed-out');
    await t.queue.markUploading(id);
    await t.queue.resetStale();
    expect(await t.queue.get(id)).toMatchObject({ state: 'ready', prepared: { posterKey: `${id}/poster` } });
    expect(await (await t.queue.getBlob(`${id}/poster`))?.text()).toBe('frame');
    const done = await t.queue.markDone(id, {
      assetId: 'asset-1',
      outcome: 'created',
      note: 'No preview frame.',
    });
    expect(done.note).toBe('No preview frame.');
    expect(await t.queue.getBlob(`${id}/poster`)).toBeUndefined();

    const removed = await add();
    await t.queue.remove(removed);
    expect(await t.queue.getBlob(`${removed}/poster`)).toBeUndefined();
  });
});
