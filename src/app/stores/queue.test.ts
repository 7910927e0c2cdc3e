import 'fake-indexeddb/auto';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeServer, ORIGIN } from '../../queue/testing/fakeServer';
import { watch } from 'vue';
import { useQueueStore } from './queue';

const JPEG_HEAD = [0xff, 0xd8, 0xff, 0xe0];

function photo(name: string, size = 64): File {
  const bytes = new Uint8Array(size).map((_, i) =>
    i < JPEG_HEAD.length ? (JPEG_HEAD[i] ?? 0) : name.charCodeAt(i % name.length),
  );
  return new File([bytes], name, { type: 'image/jpeg' });
}

let server: FakeServer;

beforeEach(() => {
  // Each test gets an empty IndexedDB, a fresh store, and the stand-in server as the network.
  vi.stubGlobal('indexedDB', new IDBFactory());
  vi.stubGlobal('location', { origin: ORIGIN });
  server = new FakeServer();
  vi.stubGlobal('fetch', server.fetch);
  setActivePinia(createPinia());
});

afterEach(() => {
  useQueueStore().dispose();
  vi.unstubAllGlobals();
});

describe('queue store', () => {
  it('adds files, drains them, and mirrors every state', async () => {
    const queue = useQueueStore();
    const added = await queue.addFiles([photo('a.jpg'), photo('b.jpg'), new File([], 'empty.jpg')]);
    expect(added.map((item) => item.name)).toEqual(['a.jpg', 'b.jpg', 'empty.jpg']);
    expect(queue.newest(10).map((item) => item.name)).toEqual(['empty.jpg', 'b.jpg', 'a.jpg']);

    await queue.drainNow();

    expect(queue.newest(10).map((item) => item.state)).toEqual(['skipped', 'done', 'done']);
    expect(queue.pendingCount).toBe(0);
    expect(queue.counts).toMatchObject({ done: 2, skipped: 1 });
    expect(queue.total).toBe(3);
    expect(queue.bytesLeft).toBe(0);
    expect(queue.lastStop).toBe('finished');
    expect(queue.drainingHere).toBe(false);
  });

  it('runs one drain per page and goes round again for files added meanwhile', async () => {
    const queue = useQueueStore();
    await queue.addFiles([photo('a.jpg')]);
    const calls = [queue.drainNow(), queue.drainNow(), queue.drainNow()];
    await queue.addFiles([photo('b.jpg')]);
    await Promise.all(calls);
    // Four requests (adding a.jpg, three here, adding b.jpg) while one drain runs: that drain plus
    // a single round more, which finds nothing left when the first round already took b.jpg. Each
    // round with work starts with GET /api/config.
    const configs = server.requests.filter((request) => request.path === '/api/config').length;
    expect(configs).toBeGreaterThanOrEqual(1);
    expect(configs).toBeLessThanOrEqual(2);
    expect(queue.newest(10).map((item) => item.state)).toEqual(['done', 'done']);
  });

  it('asks the server nothing when only done and skipped items are left', async () => {
    const queue = useQueueStore();
    await queue.drainNow();
    await queue.addFiles([photo('a.jpg'), new File([], 'empty.jpg')]);
    await queue.drainNow();
    const before = server.requests.length;

    await queue.drainNow();

    expect(queue.newest(10).map((item) => item.state)).toEqual(['skipped', 'done']);
    expect(server.requests.slice(before)).toEqual([]);
  });

  it('does not count a pass over a settled queue as draining (Library reloads when a drain ends)', async () => {
    const queue = useQueueStore();
    await queue.addFiles([photo('a.jpg')]);
    await queue.drainNow();
    const seen: boolean[] = [];
    const stop = watch(
      () => queue.draining,
      (draining) => seen.push(draining),
      { flush: 'sync' },
    );

    await queue.drainNow();
    stop();

    expect(seen).toEqual([]);
  });

  it('keeps a failure of the queue itself as a sentence', async () => {
    const queue = useQueueStore();
    await queue.remove('missing');
    expect(queue.problem).toBe('Queue item missing does not exist.');
  });

  it('unblocks items after signing in again', async () => {
    const queue = useQueueStore();
    server.signedIn = false;
    await queue.addFiles([photo('a.jpg')]);
    await queue.drainNow();
    expect(queue.signedOut).toBe(true);

    server.signedIn = true;
    await queue.resumeAfterSignIn();
    await queue.drainNow();
    expect(queue.newest(10).map((item) => item.state)).toEqual(['done']);
  });
});
