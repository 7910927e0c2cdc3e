import { describe, expect, it } from 'vitest';
import { EMPTY_FILE_REASON, UNKNOWN_TYPE_REASON, prepareFile } from '../../media/prepare';
import type { Preparer } from '../preparer';
import { photo, useTestDrain, video } from '../testing/testDrain';
import { UPLOAD_LANES } from './drain';
import { SIGNED_OUT_REASON } from './failures';

const t = useTestDrain();

describe('drain', () => {
  it('prepares, uploads in order and records each outcome', async () => {
    await t.queue.addFiles([
      video('clip.mp4', 80),
      photo('big.jpg', 'big', 200),
      photo('small.jpg', 'small', 50),
      new File([], 'empty.jpg'),
      new File(['just text'], 'notes.jpg'),
    ]);

    const result = await t.run();

    expect(result).toEqual({ stop: 'finished', nextAttemptAt: null });
    const items = await t.byName();
    expect(t.uploadOrderSeen()).toEqual(['small.jpg', 'big.jpg', 'clip.mp4']);
    expect(items['small.jpg']).toMatchObject({ state: 'done', outcome: 'created', type: 'image/jpeg' });
    expect(await t.queue.getBlob(`${items['small.jpg']?.id}/original`)).toBeUndefined();
    expect(items['clip.mp4']).toMatchObject({ state: 'done', type: 'video/mp4' });
    expect(items['empty.jpg']).toMatchObject({ state: 'skipped', reason: EMPTY_FILE_REASON });
    expect(items['notes.jpg']).toMatchObject({ state: 'skipped', reason: UNKNOWN_TYPE_REASON });
    expect(items['small.jpg']).toMatchObject({ capturedAt: '2020-09-13T12:26:40.000Z' });
    expect(t.notices).toEqual([
      { type: 'drain', running: true },
      { type: 'drain', running: false },
    ]);
  });

  it('marks what the library already has as done without sending a byte', async () => {
    await t.queue.addFiles([photo('old.jpg')]);
    await t.run();
    const patchedBefore = t.server.bytesReceived;
    await t.queue.clearCompleted();

    await t.queue.addFiles([photo('old again.jpg', 'old.jpg')]);
    await t.run();

    expect((await t.byName())['old again.jpg']).toMatchObject({ state: 'done', outcome: 'duplicate' });
    expect(t.server.bytesReceived).toBe(patchedBefore);
  });

  it('gives a byte-identical pair one asset', async () => {
    await t.queue.addFiles([photo('Canon IXUS.jpg', 'same'), photo('canon-ixus.jpg', 'same')]);
    await t.run();
    const items = await t.byName();
    expect(t.server.assets.size).toBe(1);
    const [first, second] = [items['Canon IXUS.jpg'], items['canon-ixus.jpg']];
    expect(first?.state === 'done' && second?.state === 'done' && first.assetId === second.assetId).toBe(
      true,
    );
    expect([first, second].map((item) => (item?.state === 'done' ? item.outcome : null)).sort()).toEqual([
      'created',
      'duplicate',
    ]);
  });

  it('skips a file over the limits before sending anything', async () => {
    t.server.limits = { ...t.server.limits, maxPhotoBytes: 100 };
    await t.queue.addFiles([photo('huge.jpg', 'h', 150)]);
    await t.run();
    expect((await t.byName())['huge.jpg']).toMatchObject({
      state: 'skipped',
      reason: "Photos can't exceed 100 bytes (150 bytes).",
    });
    expect(t.server.requests.filter((r) => r.path.startsWith('/api/uploads'))).toEqual([]);
  });

  it("skips a file the server refuses, with the server's sentence, and goes on", async () => {
    await t.queue.addFiles([photo('a.jpg'), photo('b.jpg')]);
    t.server.failNext('POST /api/uploads', { status: 415, code: 'UNSUPPORTED_TYPE' });
    await t.run();
    const items = await t.byName();
    expect(items['a.jpg']).toMatchObject({
      state: 'skipped',
      reason: 'Only photos and videos can be backed up.',
    });
    expect(items['b.jpg']?.state).toBe('done');
  });

  it('blocks everything pending when the session is gone', async () => {
    await t.queue.addFiles([photo('a.jpg'), photo('b.jpg')]);
    t.server.signedIn = false;
    const result = await t.run();
    expect(result.stop).toBe('signed-out');
    const items = await t.byName();
    expect(items['a.jpg']).toMatchObject({
      state: 'blocked',
      cause: 'signed-out',
      reason: SIGNED_OUT_REASON,
    });
    expect(items['b.jpg']?.state).toBe('blocked');

    t.server.signedIn = true;
    await t.queue.unblock('signed-out');
    expect((await t.run()).stop).toBe('finished');
    expect(Object.values(await t.byName()).map((item) => item.state)).toEqual(['done', 'done']);
  });

  /** States of the items other than `name`. */
  async function othersThan(name: string): Promise<string[]> {
    return Object.values(await t.byName())
      .filter((item) => item.name !== name)
      .map((item) => item.state);
  }

  it('backs off after a server error, stops, and succeeds once the wait is over', async () => {
    const others = ['b', 'c', 'd', 'e'].map((name, at) => photo(`${name}.jpg`, name, 100 + at));
    await t.queue.addFiles([photo('a.jpg'), ...others]);
    // The request that carries a's bytes: its creation, which a photo fits (creation-with-upload).
    t.server.failNext('POST /api/uploads', { status: 503, headers: { 'Retry-After': '10' } });

    const result = await t.run();

    expect(result.stop).toBe('transient');
    expect((await t.byName())['a.jpg']).toMatchObject({
      state: 'failed',
      attempts: 1,
      nextAttemptAt: t.clock + 10_000,
    });
    expect(result.nextAttemptAt).toBe(t.clock + 10_000);
    // The server's trouble is not the others' fault: none failed, and the drain stopped before
    // starting those not already on their way beside a.
    const states = await othersThan('a.jpg');
    expect(states).not.toContain('failed');
    expect(states.filter((state) => state === 'ready').length).toBeGreaterThanOrEqual(4 - (UPLOAD_LANES - 1));

    expect((await t.run()).stop).toBe('finished');
    expect((await t.byName())['a.jpg']?.state).toBe('failed');
    expect(await othersThan('a.jpg')).toEqual(['done', 'done', 'done', 'done']);
    t.clock += 10_000;
    expect(await t.run()).toEqual({ stop: 'finished', nextAttemptAt: null });
    expect((await t.byName())['a.jpg']).toMatchObject({ state: 'done' });
  });

  it('fails on a network error without trying the rest', async () => {
    const others = ['b', 'c', 'd', 'e'].map((name, at) => photo(`${name}.jpg`, name, 100 + at));
    await t.queue.addFiles([photo('a.jpg'), ...others]);
    t.server.failNext('POST /api/uploads', 'network');
    expect((await t.run()).stop).toBe('transient');
    expect((await t.byName())['a.jpg']).toMatchObject({
      state: 'failed',
      error: "Shoebox can't reach the server. It will try again.",
    });
    const states = await othersThan('a.jpg');
    expect(states).not.toContain('failed');
    expect(states).toContain('ready');
  });

  it('sends the file again after a checksum mismatch', async () => {
    await t.queue.addFiles([photo('a.jpg')]);
    const [item] = await t.queue.list();
    // The server rejects the bytes once, as if they had been corrupted on the way.
    t.server.failNext('POST /api/uploads', { status: 460, code: 'CHECKSUM_MISMATCH' });
    expect((await t.run()).stop).toBe('finished');
    expect(await t.queue.get(item?.id ?? '')).toMatchObject({ state: 'failed', upload: null });

    t.clock += 60_000;
    await t.run();
    expect((await t.queue.get(item?.id ?? ''))?.state).toBe('done');
    expect(t.server.requests.filter((r) => r.method === 'POST' && r.path === '/api/uploads')).toHaveLength(2);
  });
});

describe('issue 4: poster frames', () => {
  const withFrame: Preparer = async (input) => {
    const result = await prepareFile(input);
    return result.kind === 'ready' && result.fields.type === 'video/mp4'
      ? {
          kind: 'ready',
          fields: { ...result.fields, posterBlob: new Blob(['frame'], { type: 'image/webp' }) },
        }
      : result;
  };

  it("sends a video's poster frame once its asset exists, then deletes it with the item's blobs", async () => {
    const [item] = await t.queue.addFiles([video('clip.mp4', 80), photo('a.jpg')]);
    await t.run({ prepare: withFrame });

    const clip = (await t.byName())['clip.mp4'];
    if (clip?.state !== 'done') throw new Error('expected done');
    expect(t.server.posters.get(clip.assetId)).toEqual({ type: 'image/webp', bytes: 5 });
    expect(t.server.posters.size).toBe(1);
    // The clip's 80 bytes fit one chunk: the request that creates its upload carries them all.
    const tusDone = t.server.requests.findIndex((r) => r.path === '/api/uploads' && r.bytes === 80);
    expect(tusDone).toBeGreaterThanOrEqual(0);
    const posted = t.server.requests.findIndex((r) => r.path.endsWith('/poster'));
    expect(posted).toBeGreaterThan(tusDone);
    expect(await t.queue.getBlob(`${item?.id ?? ''}/poster`)).toBeUndefined();
    expect(clip.note).toBeNull();
  });

  it('never fails the item when the poster cannot be sent: it is done with a note', async () => {
    await t.queue.addFiles([video('clip.mp4', 80)]);
    // Asset ids are asset-N here: this matches the poster request only, not the check.
    t.server.failNext('POST /api/assets/asset-', { status: 500 });
    const result = await t.run({ prepare: withFrame });

    expect(result.stop).toBe('finished');
    const clip = (await t.byName())['clip.mp4'];
    expect(clip).toMatchObject({
      state: 'done',
      outcome: 'created',
      note: expect.stringMatching(/^Backed up, but its preview frame could not be sent/) as unknown,
    });
    expect(t.server.posters.size).toBe(0);
  });

  it('sends nothing for a video without a frame (prepared by the service worker)', async () => {
    await t.queue.addFiles([video('clip.mp4', 80)]);
    await t.run();
    expect((await t.byName())['clip.mp4']?.state).toBe('done');
    expect(t.server.requests.some((r) => r.path.endsWith('/poster'))).toBe(false);
  });
});
