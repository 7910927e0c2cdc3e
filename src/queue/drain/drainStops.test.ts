import { describe, expect, it } from 'vitest';
import { prepareFile } from '../../media/prepare';
import { ORIGIN } from '../testing/fakeServer';
import { photo, sendsBytes, useTestDrain } from '../testing/testDrain';
import { SMALL_UPLOAD_BYTES } from './drain';

const t = useTestDrain();

describe('drain: when it runs and stops', () => {
  it('prepares while offline but sends nothing', async () => {
    await t.queue.addFiles([photo('a.jpg')]);
    t.server.failNext('GET /api/config', 'network');
    const result = await t.run({ isOnline: () => false });
    expect(result.stop).toBe('offline');
    expect((await t.byName())['a.jpg']?.state).toBe('ready');
    expect(t.server.requests.map((r) => r.path)).toEqual(['/api/config']);
  });

  it('resumes an upload a crash left behind from the offset the server has', async () => {
    const blob = photo('big.jpg', 'big', 100);
    await t.queue.addFiles([blob]);
    const [item] = await t.queue.list();
    const id = item?.id ?? '';
    // First drain: the connection drops after the first 40-byte chunk... simulated by a chunked
    // upload from the test, then a "crash" that leaves the record in `uploading`.
    await t.queue.markPreparing(id);
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    await t.queue.markReady(id, { type: 'image/jpeg', sourceSha256: sha256, sha256, capturedAt: null });
    await t.queue.markUploading(id);
    const created = await t.server.fetch(`${ORIGIN}/api/uploads`, {
      method: 'POST',
      headers: {
        'Upload-Length': '100',
        'Upload-Metadata': `filename ${btoa('big.jpg')},type ${btoa('image/jpeg')},sha256 ${btoa(sha256)},sourceSha256 ${btoa(sha256)}`,
      },
    });
    const url = created.headers.get('Location') ?? '';
    await t.server.fetch(url, {
      method: 'PATCH',
      headers: { 'Upload-Offset': '0' },
      body: blob.slice(0, 40),
    });
    await t.queue.setUploadProgress(id, { url, offset: 40 });
    const sentBefore = t.server.bytesReceived;

    await t.run();

    expect(await t.queue.get(id)).toMatchObject({ state: 'done', outcome: 'created' });
    expect(t.server.bytesReceived - sentBefore).toBe(60);
  });

  it('stops at once when aborted, leaving the item ready to resume', async () => {
    await t.queue.addFiles([photo('a.jpg')]);
    const controller = new AbortController();
    const result = await t.run({
      signal: controller.signal,
      fetch: (input, init) => {
        if (sendsBytes(input, init)) controller.abort();
        return t.server.fetch(input, init);
      },
    });
    expect(result.stop).toBe('aborted');
    expect((await t.byName())['a.jpg']?.state).toBe('ready');
  });

  it('lets one drain run at a time', async () => {
    await t.queue.addFiles([photo('a.jpg'), photo('b.jpg')]);
    const [first, second] = await Promise.all([t.run(), t.run()]);
    expect(first.stop).toBe('finished');
    expect(second.stop).toBe('finished');
    expect(t.server.assets.size).toBe(2);
    expect(t.server.requests.filter((r) => r.method === 'POST' && r.path === '/api/uploads')).toHaveLength(2);
    expect(t.notices.map((n) => (n.type === 'drain' ? n.running : null))).toEqual([true, false, true, false]);
  });

  it('prepares with the last limits it saw when the server cannot be reached', async () => {
    t.server.limits = { ...t.server.limits, maxPhotoBytes: 100 };
    await t.run();
    t.server.failNext('GET /api/config', 'network');
    await t.queue.addFiles([photo('huge.jpg', 'h', 150)]);
    await t.run({ isOnline: () => false });
    expect((await t.byName())['huge.jpg']?.state).toBe('skipped');
  });

  it('stops a removed item without failing the drain', async () => {
    const [a] = await t.queue.addFiles([photo('a.jpg', 'a', 100), photo('b.jpg', 'b', 120)]);
    let removed = false;
    const result = await t.run({
      fetch: async (input, init) => {
        if (sendsBytes(input, init) && !removed && (await t.queue.get(a?.id ?? ''))?.state === 'uploading') {
          removed = true;
          await t.queue.remove(a?.id ?? '');
        }
        return t.server.fetch(input, init);
      },
    });
    expect(result.stop).toBe('finished');
    const items = await t.byName();
    expect(items['a.jpg']).toBeUndefined();
    expect(items['b.jpg']?.state).toBe('done');
  });

  it('uploads the prepared copy, not the original, and deletes both blobs', async () => {
    await t.queue.addFiles([photo('big.jpg', 'big', 200)]);
    const copy = new File([photo('small copy', 'copy', 40)], 'copy.jpg');
    const digest = await crypto.subtle.digest('SHA-256', await copy.arrayBuffer());
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const qualities: string[] = [];
    await t.queue.setSetting('backup', { quality: 'saver' });
    await t.run({
      prepare: (input) => {
        qualities.push(input.quality);
        return Promise.resolve({
          kind: 'ready',
          fields: {
            type: 'image/jpeg',
            sourceSha256: 'f'.repeat(64),
            sha256,
            capturedAt: null,
            uploadBlob: copy,
          },
        });
      },
    });
    const [item] = await t.queue.list();
    expect(qualities).toEqual(['saver']);
    expect(item).toMatchObject({ state: 'done' });
    expect(await t.queue.getBlob(`${item?.id ?? ''}/original`)).toBeUndefined();
    expect(t.server.bytesReceived).toBe(40);
    expect(await t.queue.getBlob(`${item?.id ?? ''}/upload`)).toBeUndefined();
  });

  it('does nothing while backup is off and waits for Wi-Fi on a cellular connection', async () => {
    await t.queue.addFiles([photo('a.jpg')]);
    await t.queue.setSetting('backup', { enabled: false });
    expect(await t.run()).toMatchObject({ stop: 'held', hold: 'disabled' });
    expect((await t.byName())['a.jpg']?.state).toBe('queued');

    await t.queue.setSetting('backup', { enabled: true, wifiOnly: true });
    const cellular = (): Promise<{ connectionType: string; charging: null }> =>
      Promise.resolve({ connectionType: 'cellular', charging: null });
    expect(await t.run({ device: cellular })).toMatchObject({ stop: 'held', hold: 'wifi' });
    // Prepared (no network needed), not sent.
    expect((await t.byName())['a.jpg']?.state).toBe('ready');
    expect(t.server.bytesReceived).toBe(0);

    const wifi = (): Promise<{ connectionType: string; charging: null }> =>
      Promise.resolve({ connectionType: 'wifi', charging: null });
    expect((await t.run({ device: wifi })).stop).toBe('finished');
    expect((await t.byName())['a.jpg']?.state).toBe('done');
  });

  // b is larger than a photo sent beside another (SMALL_UPLOAD_BYTES): it waits for a to finish.
  const large = (): File => photo('b.jpg', 'b', SMALL_UPLOAD_BYTES + 1);

  it('starts no new upload after the time budget of a sync event', async () => {
    await t.queue.addFiles([photo('a.jpg'), large()]);
    let uploads = 0;
    const result = await t.run({
      stopStartingAt: t.clock + 1,
      fetch: (input, init) => {
        if (init.method === 'POST' && input.endsWith('/api/uploads')) {
          uploads += 1;
          t.clock += 10;
        }
        return t.server.fetch(input, init);
      },
    });
    expect(result.stop).toBe('deadline');
    expect(uploads).toBe(1);
    expect(Object.values(await t.byName()).map((item) => item.state)).toEqual(['done', 'ready']);
  });

  it('starts no new upload once asked to stop starting (an update waits), finishing the current one', async () => {
    await t.queue.addFiles([photo('a.jpg'), large()]);
    let stop = false;
    const result = await t.run({
      stopStarting: () => stop,
      fetch: (input, init) => {
        if (init.method === 'POST' && input.endsWith('/api/uploads')) stop = true;
        return t.server.fetch(input, init);
      },
    });
    expect(result.stop).toBe('deadline');
    expect(Object.values(await t.byName()).map((item) => item.state)).toEqual(['done', 'ready']);
  });

  it("never uploads another account's items", async () => {
    await t.queue.addFiles([photo('mine.jpg')], { owner: { id: 'u1', email: 'u1@example.com' } });
    await t.queue.addFiles([photo('theirs.jpg')], { owner: { id: 'u2', email: 'u2@example.com' } });
    await t.run();
    const items = await t.byName();
    expect(items['mine.jpg']?.state).toBe('done');
    expect(items['theirs.jpg']).toMatchObject({ state: 'blocked', cause: 'other-account' });
    expect(t.uploadOrderSeen()).toEqual(['mine.jpg']);

    t.server.userId = 'u2';
    await t.run();
    expect((await t.byName())['theirs.jpg']?.state).toBe('done');
  });

  it('keeps a worker pool busy: prepares up to prepareConcurrency files at once', async () => {
    await t.queue.addFiles(['a', 'b', 'c', 'd', 'e'].map((name) => photo(`${name}.jpg`)));
    let running = 0;
    let most = 0;
    let secondStarted: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (secondStarted = resolve));
    await t.run({
      prepareConcurrency: 2,
      prepare: async (input) => {
        running += 1;
        most = Math.max(most, running);
        if (running === 2) secondStarted();
        // Each file waits for a second one to start beside it, however slow the machine; with
        // one file at a time the wait ends after a second and `most` stays 1.
        await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 1_000))]);
        running -= 1;
        return prepareFile(input);
      },
    });
    expect(most).toBe(2);
    expect(Object.values(await t.byName()).every((item) => item.state === 'done')).toBe(true);
  });
});
