import { describe, expect, it } from 'vitest';
import { photo, useTestDrain } from '../testing/testDrain';

const t = useTestDrain();

/** Issue 16: a folder added as an album; its items carry the album's id. */
describe('drain into an album', () => {
  it('puts new photos in the album through the upload, and ones already backed up through the album route', async () => {
    await t.queue.addFiles([photo('old.jpg')]);
    await t.run();
    const oldId = [...t.server.assets.values()][0]?.id;
    await t.queue.clearCompleted();
    t.server.albums.set('trip', []);

    await t.queue.addFiles([photo('old again.jpg', 'old.jpg'), photo('new.jpg')], { albumId: 'trip' });
    await t.run();

    const items = await t.byName();
    const created = items['new.jpg'];
    expect(items['old again.jpg']).toMatchObject({ state: 'done', outcome: 'duplicate', albumId: 'trip' });
    expect(created).toMatchObject({ state: 'done', outcome: 'created', albumId: 'trip' });
    const newId = created?.state === 'done' ? created.assetId : null;
    expect(t.server.albums.get('trip')?.sort()).toEqual([oldId, newId].sort());
    // Only the new photo's bytes went up.
    expect(t.uploadOrderSeen()).toEqual(['old.jpg', 'new.jpg']);
  });

  it('backs a photo up whose album is gone, with a note, and adds nothing elsewhere', async () => {
    await t.queue.addFiles([photo('old.jpg')]);
    await t.run();
    await t.queue.clearCompleted();

    await t.queue.addFiles([photo('old again.jpg', 'old.jpg')], { albumId: 'deleted' });
    const result = await t.run();

    expect(result.stop).toBe('finished');
    const item = (await t.byName())['old again.jpg'];
    expect(item).toMatchObject({ state: 'done', outcome: 'duplicate' });
    expect(item?.state === 'done' ? item.note : null).toMatch(
      /^Already backed up, but not put in the album: /,
    );
    expect(t.server.albums.size).toBe(0);
  });

  it('retries the album later when the server cannot be reached, and keeps the album on the item', async () => {
    await t.queue.addFiles([photo('old.jpg')]);
    await t.run();
    await t.queue.clearCompleted();
    t.server.albums.set('trip', []);
    await t.queue.addFiles([photo('old again.jpg', 'old.jpg')], { albumId: 'trip' });
    t.server.failNext('POST /api/albums/trip/assets', { status: 503 });

    const first = await t.run();
    expect(first.stop).toBe('transient');
    expect((await t.byName())['old again.jpg']).toMatchObject({ state: 'failed', albumId: 'trip' });
    expect(t.server.albums.get('trip')).toEqual([]);

    t.clock = first.nextAttemptAt ?? t.clock;
    await t.run();
    expect((await t.byName())['old again.jpg']).toMatchObject({ state: 'done', albumId: 'trip' });
    expect(t.server.albums.get('trip')).toHaveLength(1);
  });
});
