import { describe, expect, it } from 'vitest';
import { HASH_A, photo, useTestQueue } from './testing/testQueue';

const t = useTestQueue();

describe('bulk transitions', () => {
  it('blocks everything pending when signed out, and resumes each where it stopped', async () => {
    const ready = await t.readyItem('a.jpg');
    const [queued] = await t.queue.addFiles([photo('b.jpg')]);
    const doneItem = await t.readyItem('c.jpg');
    await t.queue.markDone(doneItem.id, { assetId: 'x', outcome: 'duplicate' });

    const blocked = await t.queue.blockPending('signed-out', 'Sign in to continue backup');
    expect(blocked.map((item) => item.id).sort()).toEqual([ready.id, queued?.id].sort());
    expect(await t.queue.get(ready.id)).toMatchObject({
      state: 'blocked',
      cause: 'signed-out',
      reason: 'Sign in to continue backup',
      resume: { state: 'ready', prepared: { sourceSha256: HASH_A } },
    });
    expect((await t.queue.get(doneItem.id))?.state).toBe('done');

    expect(await t.queue.unblock('storage')).toEqual([]);
    await t.queue.unblock('signed-out');
    expect(await t.queue.get(ready.id)).toMatchObject({ state: 'ready', prepared: { sourceSha256: HASH_A } });
    expect((await t.queue.get(queued?.id ?? ''))?.state).toBe('queued');
  });

  it('puts items a crash left mid-work back where the drain starts, keeping the upload', async () => {
    const ready = await t.readyItem('a.jpg');
    await t.queue.markUploading(ready.id);
    await t.queue.setUploadProgress(ready.id, { url: 'u', offset: 8 });
    const [other] = await t.queue.addFiles([photo('b.jpg')]);
    await t.queue.markPreparing(other?.id ?? '');

    expect((await t.queue.resetStale()).map((item) => item.id).sort()).toEqual([ready.id, other?.id].sort());
    expect(await t.queue.get(ready.id)).toMatchObject({ state: 'ready', upload: { url: 'u', offset: 8 } });
    expect((await t.queue.get(other?.id ?? ''))?.state).toBe('queued');
  });

  it("records the owner and blocks other accounts' items until their owner signs in", async () => {
    await t.queue.addFiles([photo('mine.jpg')], { owner: { id: 'u1', email: 'ada@example.com' } });
    await t.queue.addFiles([photo('theirs.jpg')], { owner: { id: 'u2', email: 'bob@example.com' } });
    await t.queue.addFiles([photo('shared.jpg')]);
    await t.queue.assignToAccount('u1');
    const items = await t.byName();
    expect(items['mine.jpg']).toMatchObject({ state: 'queued', owner: { id: 'u1' } });
    expect(items['shared.jpg']?.state).toBe('queued');
    expect(items['theirs.jpg']).toMatchObject({
      state: 'blocked',
      cause: 'other-account',
      reason: 'Sign in as bob@example.com to back this up.',
    });

    await t.queue.assignToAccount('u2');
    const after = Object.fromEntries((await t.queue.list()).map((item) => [item.name, item.state]));
    expect(after).toEqual({ 'mine.jpg': 'blocked', 'theirs.jpg': 'queued', 'shared.jpg': 'queued' });
  });

  it('clears completed items only, and announces what it removed', async () => {
    const done = await t.readyItem('a.jpg');
    await t.queue.markDone(done.id, { assetId: 'x', outcome: 'created' });
    const pending = await t.readyItem('b.jpg');
    t.notices.length = 0;
    expect(await t.queue.clearCompleted()).toEqual([done.id]);
    expect((await t.queue.list()).map((item) => item.id)).toEqual([pending.id]);
    expect(t.notices).toEqual([{ type: 'removed', ids: [done.id] }]);
  });

  it('announces each change with the item as written', async () => {
    const ready = await t.readyItem();
    t.notices.length = 0;
    const uploading = await t.queue.markUploading(ready.id);
    expect(t.notices).toEqual([{ type: 'items', items: [uploading] }]);
  });

  it('counts items per state from the index', async () => {
    await t.readyItem('a.jpg');
    await t.queue.addFiles([photo('b.jpg'), photo('c.jpg')]);
    expect(await t.queue.counts()).toMatchObject({ queued: 2, ready: 1, done: 0 });
    expect(await t.queue.pendingCount()).toBe(3);
    expect((await t.queue.listByState('ready')).map((item) => item.name)).toEqual(['a.jpg']);
  });
});
