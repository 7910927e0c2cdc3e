import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EMPTY_FILE_REASON, UNKNOWN_TYPE_REASON, prepareFile } from '../../media/prepare';
import type { QueueNotice } from '../channel';
import type { QueueItem } from '../item';
import type { Preparer } from '../preparer';
import { QueueDb } from '../queueDb';
import { createQueueServer } from '../serverApi';
import { FakeServer, ORIGIN } from '../testing/fakeServer';
import { SMALL_UPLOAD_BYTES, UPLOAD_LANES, drain } from './drain';
import type { DrainOptions } from './drain';
import { SIGNED_OUT_REASON } from './failures';

const JPEG_HEAD = [0xff, 0xd8, 0xff, 0xe0];
const MP4_HEAD = [0, 0, 0, 0x18, ...'ftypisom'.split('').map((c) => c.charCodeAt(0)), 0, 0, 2, 0];

function file(name: string, head: readonly number[], fill: string, size = 64): File {
  const bytes = new Uint8Array(size);
  bytes.set(head);
  for (let i = head.length; i < size; i += 1) bytes[i] = fill.charCodeAt(i % fill.length);
  return new File([bytes], name, {
    type: name.endsWith('.mp4') ? 'video/mp4' : 'image/jpeg',
    lastModified: 1_600_000_000_000,
  });
}

/** Whether a request carries upload bytes: a PATCH, or a creation with its first chunk. */
const sendsBytes = (input: string, init: RequestInit): boolean =>
  init.method === 'PATCH' || (init.method === 'POST' && new URL(input, ORIGIN).pathname === '/api/uploads');

const photo = (name: string, fill = name, size = 64): File => file(name, JPEG_HEAD, fill, size);
const video = (name: string, size = 64): File => file(name, MP4_HEAD, name, size);

let queue: QueueDb;
let server: FakeServer;
let clock: number;
let notices: QueueNotice[];

beforeEach(async () => {
  clock = 1_000_000;
  notices = [];
  queue = await QueueDb.open({
    name: `drain-test-${crypto.randomUUID()}`,
    notify: () => undefined,
    now: () => clock,
  });
  server = new FakeServer();
});

afterEach(() => queue.close());

function run(overrides: Partial<DrainOptions> = {}): ReturnType<typeof drain> {
  return drain({
    queue,
    server: createQueueServer(server.fetch),
    origin: ORIGIN,
    prepare: prepareFile,
    fetch: server.fetch,
    isOnline: () => true,
    now: () => clock,
    random: () => 0.5,
    notify: (notice) => notices.push(notice),
    ...overrides,
  });
}

async function byName(): Promise<Record<string, QueueItem>> {
  return Object.fromEntries((await queue.list()).map((item) => [item.name, item]));
}

/** Filenames in the order their uploads were created. */
function uploadOrderSeen(): string[] {
  return [...server.assets.values()].map((asset) => asset.filename);
}

describe('drain', () => {
  it('prepares, uploads in order and records each outcome', async () => {
    await queue.addFiles([
      video('clip.mp4', 80),
      photo('big.jpg', 'big', 200),
      photo('small.jpg', 'small', 50),
      new File([], 'empty.jpg'),
      new File(['just text'], 'notes.jpg'),
    ]);

    const result = await run();

    expect(result).toEqual({ stop: 'finished', nextAttemptAt: null });
    const items = await byName();
    expect(uploadOrderSeen()).toEqual(['small.jpg', 'big.jpg', 'clip.mp4']);
    expect(items['small.jpg']).toMatchObject({ state: 'done', outcome: 'created', type: 'image/jpeg' });
    expect(await queue.getBlob(`${items['small.jpg']?.id}/original`)).toBeUndefined();
    expect(items['clip.mp4']).toMatchObject({ state: 'done', type: 'video/mp4' });
    expect(items['empty.jpg']).toMatchObject({ state: 'skipped', reason: EMPTY_FILE_REASON });
    expect(items['notes.jpg']).toMatchObject({ state: 'skipped', reason: UNKNOWN_TYPE_REASON });
    expect(items['small.jpg']).toMatchObject({ capturedAt: '2020-09-13T12:26:40.000Z' });
    expect(notices).toEqual([
      { type: 'drain', running: true },
      { type: 'drain', running: false },
    ]);
  });

  it('marks what the library already has as done without sending a byte', async () => {
    await queue.addFiles([photo('old.jpg')]);
    await run();
    const patchedBefore = server.bytesReceived;
    await queue.clearCompleted();

    await queue.addFiles([photo('old again.jpg', 'old.jpg')]);
    await run();

    expect((await byName())['old again.jpg']).toMatchObject({ state: 'done', outcome: 'duplicate' });
    expect(server.bytesReceived).toBe(patchedBefore);
  });

  it('gives a byte-identical pair one asset', async () => {
    await queue.addFiles([photo('Canon IXUS.jpg', 'same'), photo('canon-ixus.jpg', 'same')]);
    await run();
    const items = await byName();
    expect(server.assets.size).toBe(1);
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
    server.limits = { ...server.limits, maxPhotoBytes: 100 };
    await queue.addFiles([photo('huge.jpg', 'h', 150)]);
    await run();
    expect((await byName())['huge.jpg']).toMatchObject({
      state: 'skipped',
      reason: "Photos can't exceed 100 bytes (150 bytes).",
    });
    expect(server.requests.filter((r) => r.path.startsWith('/api/uploads'))).toEqual([]);
  });

  it("skips a file the server refuses, with the server's sentence, and goes on", async () => {
    await queue.addFiles([photo('a.jpg'), photo('b.jpg')]);
    server.failNext('POST /api/uploads', { status: 415, code: 'UNSUPPORTED_TYPE' });
    await run();
    const items = await byName();
    expect(items['a.jpg']).toMatchObject({
      state: 'skipped',
      reason: 'Only photos and videos can be backed up.',
    });
    expect(items['b.jpg']?.state).toBe('done');
  });

  it('blocks everything pending when the session is gone', async () => {
    await queue.addFiles([photo('a.jpg'), photo('b.jpg')]);
    server.signedIn = false;
    const result = await run();
    expect(result.stop).toBe('signed-out');
    const items = await byName();
    expect(items['a.jpg']).toMatchObject({
      state: 'blocked',
      cause: 'signed-out',
      reason: SIGNED_OUT_REASON,
    });
    expect(items['b.jpg']?.state).toBe('blocked');

    server.signedIn = true;
    await queue.unblock('signed-out');
    expect((await run()).stop).toBe('finished');
    expect(Object.values(await byName()).map((item) => item.state)).toEqual(['done', 'done']);
  });

  /** States of the items other than `name`. */
  async function othersThan(name: string): Promise<string[]> {
    return Object.values(await byName())
      .filter((item) => item.name !== name)
      .map((item) => item.state);
  }

  it('backs off after a server error, stops, and succeeds once the wait is over', async () => {
    const others = ['b', 'c', 'd', 'e'].map((name, at) => photo(`${name}.jpg`, name, 100 + at));
    await queue.addFiles([photo('a.jpg'), ...others]);
    // The request that carries a's bytes: its creation, which a photo fits (creation-with-upload).
    server.failNext('POST /api/uploads', { status: 503, headers: { 'Retry-After': '10' } });

    const result = await run();

    expect(result.stop).toBe('transient');
    expect((await byName())['a.jpg']).toMatchObject({
      state: 'failed',
      attempts: 1,
      nextAttemptAt: clock + 10_000,
    });
    expect(result.nextAttemptAt).toBe(clock + 10_000);
    // The server's trouble is not the others' fault: none failed, and the drain stopped before
    // starting those not already on their way beside a.
    const states = await othersThan('a.jpg');
    expect(states).not.toContain('failed');
    expect(states.filter((state) => state === 'ready').length).toBeGreaterThanOrEqual(4 - (UPLOAD_LANES - 1));

    expect((await run()).stop).toBe('finished');
    expect((await byName())['a.jpg']?.state).toBe('failed');
    expect(await othersThan('a.jpg')).toEqual(['done', 'done', 'done', 'done']);
    clock += 10_000;
    expect(await run()).toEqual({ stop: 'finished', nextAttemptAt: null });
    expect((await byName())['a.jpg']).toMatchObject({ state: 'done' });
  });

  it('fails on a network error without trying the rest', async () => {
    const others = ['b', 'c', 'd', 'e'].map((name, at) => photo(`${name}.jpg`, name, 100 + at));
    await queue.addFiles([photo('a.jpg'), ...others]);
    server.failNext('POST /api/uploads', 'network');
    expect((await run()).stop).toBe('transient');
    expect((await byName())['a.jpg']).toMatchObject({
      state: 'failed',
      error: "Shoebox can't reach the server. It will try again.",
    });
    const states = await othersThan('a.jpg');
    expect(states).not.toContain('failed');
    expect(states).toContain('ready');
  });

  it('sends the file again after a checksum mismatch', async () => {
    await queue.addFiles([photo('a.jpg')]);
    const [item] = await queue.list();
    // The server rejects the bytes once, as if they had been corrupted on the way.
    server.failNext('POST /api/uploads', { status: 460, code: 'CHECKSUM_MISMATCH' });
    expect((await run()).stop).toBe('finished');
    expect(await queue.get(item?.id ?? '')).toMatchObject({ state: 'failed', upload: null });

    clock += 60_000;
    await run();
    expect((await queue.get(item?.id ?? ''))?.state).toBe('done');
    expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/api/uploads')).toHaveLength(2);
  });

  it('prepares while offline but sends nothing', async () => {
    await queue.addFiles([photo('a.jpg')]);
    server.failNext('GET /api/config', 'network');
    const result = await run({ isOnline: () => false });
    expect(result.stop).toBe('offline');
    expect((await byName())['a.jpg']?.state).toBe('ready');
    expect(server.requests.map((r) => r.path)).toEqual(['/api/config']);
  });

  it('resumes an upload a crash left behind from the offset the server has', async () => {
    const blob = photo('big.jpg', 'big', 100);
    await queue.addFiles([blob]);
    const [item] = await queue.list();
    const id = item?.id ?? '';
    // First drain: the connection drops after the first 40-byte chunk... simulated by a chunked
    // upload from the test, then a "crash" that leaves the record in `uploading`.
    await queue.markPreparing(id);
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    await queue.markReady(id, { type: 'image/jpeg', sourceSha256: sha256, sha256, capturedAt: null });
    await queue.markUploading(id);
    const created = await server.fetch(`${ORIGIN}/api/uploads`, {
      method: 'POST',
      headers: {
        'Upload-Length': '100',
        'Upload-Metadata': `filename ${btoa('big.jpg')},type ${btoa('image/jpeg')},sha256 ${btoa(sha256)},sourceSha256 ${btoa(sha256)}`,
      },
    });
    const url = created.headers.get('Location') ?? '';
    await server.fetch(url, { method: 'PATCH', headers: { 'Upload-Offset': '0' }, body: blob.slice(0, 40) });
    await queue.setUploadProgress(id, { url, offset: 40 });
    const sentBefore = server.bytesReceived;

    await run();

    expect(await queue.get(id)).toMatchObject({ state: 'done', outcome: 'created' });
    expect(server.bytesReceived - sentBefore).toBe(60);
  });

  it('stops at once when aborted, leaving the item ready to resume', async () => {
    await queue.addFiles([photo('a.jpg')]);
    const controller = new AbortController();
    const result = await run({
      signal: controller.signal,
      fetch: (input, init) => {
        if (sendsBytes(input, init)) controller.abort();
        return server.fetch(input, init);
      },
    });
    expect(result.stop).toBe('aborted');
    expect((await byName())['a.jpg']?.state).toBe('ready');
  });

  it('lets one drain run at a time', async () => {
    await queue.addFiles([photo('a.jpg'), photo('b.jpg')]);
    const [first, second] = await Promise.all([run(), run()]);
    expect(first.stop).toBe('finished');
    expect(second.stop).toBe('finished');
    expect(server.assets.size).toBe(2);
    expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/api/uploads')).toHaveLength(2);
    expect(notices.map((n) => (n.type === 'drain' ? n.running : null))).toEqual([true, false, true, false]);
  });

  it('prepares with the last limits it saw when the server cannot be reached', async () => {
    server.limits = { ...server.limits, maxPhotoBytes: 100 };
    await run();
    server.failNext('GET /api/config', 'network');
    await queue.addFiles([photo('huge.jpg', 'h', 150)]);
    await run({ isOnline: () => false });
    expect((await byName())['huge.jpg']?.state).toBe('skipped');
  });

  it('stops a removed item without failing the drain', async () => {
    const [a] = await queue.addFiles([photo('a.jpg', 'a', 100), photo('b.jpg', 'b', 120)]);
    let removed = false;
    const result = await run({
      fetch: async (input, init) => {
        if (sendsBytes(input, init) && !removed && (await queue.get(a?.id ?? ''))?.state === 'uploading') {
          removed = true;
          await queue.remove(a?.id ?? '');
        }
        return server.fetch(input, init);
      },
    });
    expect(result.stop).toBe('finished');
    const items = await byName();
    expect(items['a.jpg']).toBeUndefined();
    expect(items['b.jpg']?.state).toBe('done');
  });

  it('uploads the prepared copy, not the original, and deletes both blobs', async () => {
    await queue.addFiles([photo('big.jpg', 'big', 200)]);
    const copy = new File([photo('small copy', 'copy', 40)], 'copy.jpg');
    const digest = await crypto.subtle.digest('SHA-256', await copy.arrayBuffer());
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const qualities: string[] = [];
    await queue.setSetting('backup', { quality: 'saver' });
    await run({
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
    const [item] = await queue.list();
    expect(qualities).toEqual(['saver']);
    expect(item).toMatchObject({ state: 'done' });
    expect(await queue.getBlob(`${item?.id ?? ''}/original`)).toBeUndefined();
    expect(server.bytesReceived).toBe(40);
    expect(await queue.getBlob(`${item?.id ?? ''}/upload`)).toBeUndefined();
  });

  it('does nothing while backup is off and waits for Wi-Fi on a cellular connection', async () => {
    await queue.addFiles([photo('a.jpg')]);
    await queue.setSetting('backup', { enabled: false });
    expect(await run()).toMatchObject({ stop: 'held', hold: 'disabled' });
    expect((await byName())['a.jpg']?.state).toBe('queued');

    await queue.setSetting('backup', { enabled: true, wifiOnly: true });
    const cellular = (): Promise<{ connectionType: string; charging: null }> =>
      Promise.resolve({ connectionType: 'cellular', charging: null });
    expect(await run({ device: cellular })).toMatchObject({ stop: 'held', hold: 'wifi' });
    // Prepared (no network needed), not sent.
    expect((await byName())['a.jpg']?.state).toBe('ready');
    expect(server.bytesReceived).toBe(0);

    const wifi = (): Promise<{ connectionType: string; charging: null }> =>
      Promise.resolve({ connectionType: 'wifi', charging: null });
    expect((await run({ device: wifi })).stop).toBe('finished');
    expect((await byName())['a.jpg']?.state).toBe('done');
  });

  // b is larger than a photo sent beside another (SMALL_UPLOAD_BYTES): it waits for a to finish.
  const large = (): File => photo('b.jpg', 'b', SMALL_UPLOAD_BYTES + 1);

  it('starts no new upload after the time budget of a sync event', async () => {
    await queue.addFiles([photo('a.jpg'), large()]);
    let uploads = 0;
    const result = await run({
      stopStartingAt: clock + 1,
      fetch: (input, init) => {
        if (init.method === 'POST' && input.endsWith('/api/uploads')) {
          uploads += 1;
          clock += 10;
        }
        return server.fetch(input, init);
      },
    });
    expect(result.stop).toBe('deadline');
    expect(uploads).toBe(1);
    expect(Object.values(await byName()).map((item) => item.state)).toEqual(['done', 'ready']);
  });

  it('starts no new upload once asked to stop starting (an update waits), finishing the current one', async () => {
    await queue.addFiles([photo('a.jpg'), large()]);
    let stop = false;
    const result = await run({
      stopStarting: () => stop,
      fetch: (input, init) => {
        if (init.method === 'POST' && input.endsWith('/api/uploads')) stop = true;
        return server.fetch(input, init);
      },
    });
    expect(result.stop).toBe('deadline');
    expect(Object.values(await byName()).map((item) => item.state)).toEqual(['done', 'ready']);
  });

  it("never uploads another account's items", async () => {
    await queue.addFiles([photo('mine.jpg')], { owner: { id: 'u1', email: 'u1@example.com' } });
    await queue.addFiles([photo('theirs.jpg')], { owner: { id: 'u2', email: 'u2@example.com' } });
    await run();
    const items = await byName();
    expect(items['mine.jpg']?.state).toBe('done');
    expect(items['theirs.jpg']).toMatchObject({ state: 'blocked', cause: 'other-account' });
    expect(uploadOrderSeen()).toEqual(['mine.jpg']);

    server.userId = 'u2';
    await run();
    expect((await byName())['theirs.jpg']?.state).toBe('done');
  });

  it('keeps a worker pool busy: prepares up to prepareConcurrency files at once', async () => {
    await queue.addFiles(['a', 'b', 'c', 'd', 'e'].map((name) => photo(`${name}.jpg`)));
    let running = 0;
    let most = 0;
    let secondStarted: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (secondStarted = resolve));
    await run({
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
    expect(Object.values(await byName()).every((item) => item.state === 'done')).toBe(true);
  });
});

describe('issue 13: chunk size from the measured throughput', () => {
  it('sends the first 8 MiB alone to measure the link, then the rest in chunks sized for it', async () => {
    const MiB = 1024 * 1024;
    await queue.addFiles([photo('large.jpg', 'large', 20 * MiB)]);
    expect((await run()).stop).toBe('finished');
    const tus = server.requests.filter((r) => r.path.startsWith('/api/uploads'));
    // On this in-memory "link" 8 MiB takes milliseconds: the rest fits one chunk of the server's 64 MiB.
    expect(tus.map((r) => `${r.method} ${r.bytes}`)).toEqual([
      `POST ${8 * MiB}`,
      'HEAD 0',
      `PATCH ${12 * MiB}`,
    ]);
    expect(server.assets.size).toBe(1);
  });

  it('keeps to the smallest chunk when the server cannot be asked for its largest', async () => {
    const MiB = 1024 * 1024;
    await queue.addFiles([photo('large.jpg', 'large', 17 * MiB)]);
    server.failNext('GET /api/config', { status: 503 });
    expect((await run()).stop).toBe('finished');
    const tus = server.requests.filter((r) => r.path.startsWith('/api/uploads'));
    expect(tus.map((r) => `${r.method} ${r.bytes}`)).toEqual([
      `POST ${8 * MiB}`,
      `PATCH ${8 * MiB}`,
      `PATCH ${MiB}`,
    ]);
  });
});

describe('issue 19: work in proportion to the queue', () => {
  /** Counts every IndexedDB read request (gets, counts, cursors and each cursor step). */
  async function countReads(): Promise<{ reads: () => number; restore: () => void }> {
    const fake = (await import('fake-indexeddb')) as unknown as Record<
      string,
      { prototype: Record<string, unknown> }
    >;
    const patched: [Record<string, unknown>, string, unknown][] = [];
    let reads = 0;
    const methods = ['get', 'getKey', 'getAll', 'getAllKeys', 'count', 'openCursor', 'openKeyCursor'];
    for (const [type, names] of [
      ['IDBObjectStore', methods],
      ['IDBIndex', methods],
      ['IDBCursor', ['continue', 'continuePrimaryKey', 'advance']],
    ] as const) {
      const proto = fake[type]?.prototype;
      if (proto === undefined) throw new Error(`no ${type}`);
      for (const name of names) {
        const original = proto[name] as (...args: unknown[]) => unknown;
        patched.push([proto, name, original]);
        proto[name] = function (this: unknown, ...args: unknown[]) {
          reads += 1;
          return original.apply(this, args);
        };
      }
    }
    return {
      reads: () => reads,
      restore: () => {
        for (const [proto, name, original] of patched) proto[name] = original;
      },
    };
  }

  async function readsPerItem(count: number): Promise<number> {
    const files = Array.from({ length: count }, (_, at) => photo(`p${at}.jpg`, `photo ${at}`, 64 + (at % 7)));
    await queue.addFiles(files, { owner: { id: 'u1', email: 'u1@example.com' } });
    const counter = await countReads();
    try {
      expect((await run()).stop).toBe('finished');
    } finally {
      counter.restore();
    }
    expect(server.assets.size).toBe(count);
    return counter.reads() / count;
  }

  it('starts on the first batch of an add and waits for the rest instead of ending', async () => {
    let adding = true;
    let added: () => void = () => undefined;
    let ended = false;
    await queue.addFiles([photo('first.jpg')]);
    const result = run({
      adding: () => adding,
      nextAdded: () => new Promise<void>((resolve) => (added = resolve)),
    }).then((answer) => {
      ended = true;
      return answer;
    });
    await vi.waitFor(() => expect(server.assets.size).toBe(1));
    expect(ended).toBe(false);

    await queue.addFiles([photo('second.jpg'), photo('third.jpg')]);
    added();
    await vi.waitFor(() => expect(server.assets.size).toBe(3));
    expect(ended).toBe(false);

    adding = false;
    added();
    expect((await result).stop).toBe('finished');
  });

  // Draining 220 photos through fake-indexeddb takes a few seconds of its own.
  it(
    'reads the same from IndexedDB per uploaded photo with 20 queued as with 200',
    { timeout: 30_000 },
    async () => {
      const few = await readsPerItem(20);
      queue.close();
      queue = await QueueDb.open({
        name: `drain-test-${crypto.randomUUID()}`,
        notify: () => undefined,
        now: () => clock,
      });
      server = new FakeServer();
      const many = await readsPerItem(200);
      // A drain that read or sorted the whole queue per upload would read 10 times more per photo.
      expect(many).toBeLessThan(few * 1.1);
    },
  );
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
    const [item] = await queue.addFiles([video('clip.mp4', 80), photo('a.jpg')]);
    await run({ prepare: withFrame });

    const clip = (await byName())['clip.mp4'];
    if (clip?.state !== 'done') throw new Error('expected done');
    expect(server.posters.get(clip.assetId)).toEqual({ type: 'image/webp', bytes: 5 });
    expect(server.posters.size).toBe(1);
    // The clip's 80 bytes fit one chunk: the request that creates its upload carries them all.
    const tusDone = server.requests.findIndex((r) => r.path === '/api/uploads' && r.bytes === 80);
    expect(tusDone).toBeGreaterThanOrEqual(0);
    const posted = server.requests.findIndex((r) => r.path.endsWith('/poster'));
    expect(posted).toBeGreaterThan(tusDone);
    expect(await queue.getBlob(`${item?.id ?? ''}/poster`)).toBeUndefined();
    expect(clip.note).toBeNull();
  });

  it('never fails the item when the poster cannot be sent: it is done with a note', async () => {
    await queue.addFiles([video('clip.mp4', 80)]);
    // Asset ids are asset-N here: this matches the poster request only, not the check.
    server.failNext('POST /api/assets/asset-', { status: 500 });
    const result = await run({ prepare: withFrame });

    expect(result.stop).toBe('finished');
    const clip = (await byName())['clip.mp4'];
    expect(clip).toMatchObject({
      state: 'done',
      outcome: 'created',
      note: expect.stringMatching(/^Backed up, but its preview frame could not be sent/) as unknown,
    });
    expect(server.posters.size).toBe(0);
  });

  it('sends nothing for a video without a frame (prepared by the service worker)', async () => {
    await queue.addFiles([video('clip.mp4', 80)]);
    await run();
    expect((await byName())['clip.mp4']?.state).toBe('done');
    expect(server.requests.some((r) => r.path.endsWith('/poster'))).toBe(false);
  });
});
