import { describe, expect, it, vi } from 'vitest';
import { photo, useTestDrain } from '../testing/testDrain';

const t = useTestDrain();

describe('issue 13: chunk size from the measured throughput', () => {
  it('sends the first 8 MiB alone to measure the link, then the rest in chunks sized for it', async () => {
    const MiB = 1024 * 1024;
    await t.queue.addFiles([photo('large.jpg', 'large', 20 * MiB)]);
    expect((await t.run()).stop).toBe('finished');
    const tus = t.server.requests.filter((r) => r.path.startsWith('/api/uploads'));
    // On this in-memory "link" 8 MiB takes milliseconds: the rest fits one chunk of the server's 64 MiB.
    expect(tus.map((r) => `${r.method} ${r.bytes}`)).toEqual([
      `POST ${8 * MiB}`,
      'HEAD 0',
      `PATCH ${12 * MiB}`,
    ]);
    expect(t.server.assets.size).toBe(1);
  });

  it('keeps to the smallest chunk when the server cannot be asked for its largest', async () => {
    const MiB = 1024 * 1024;
    await t.queue.addFiles([photo('large.jpg', 'large', 17 * MiB)]);
    t.server.failNext('GET /api/config', { status: 503 });
    expect((await t.run()).stop).toBe('finished');
    const tus = t.server.requests.filter((r) => r.path.startsWith('/api/uploads'));
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
    await t.queue.addFiles(files, { owner: { id: 'u1', email: 'u1@example.com' } });
    const counter = await countReads();
    try {
      expect((await t.run()).stop).toBe('finished');
    } finally {
      counter.restore();
    }
    expect(t.server.assets.size).toBe(count);
    return counter.reads() / count;
  }

  it('starts on the first batch of an add and waits for the rest instead of ending', async () => {
    let adding = true;
    let added: () => void = () => undefined;
    let ended = false;
    await t.queue.addFiles([photo('first.jpg')]);
    const result = t
      .run({
        adding: () => adding,
        nextAdded: () => new Promise<void>((resolve) => (added = resolve)),
      })
      .then((answer) => {
        ended = true;
        return answer;
      });
    await vi.waitFor(() => expect(t.server.assets.size).toBe(1));
    expect(ended).toBe(false);

    await t.queue.addFiles([photo('second.jpg'), photo('third.jpg')]);
    added();
    await vi.waitFor(() => expect(t.server.assets.size).toBe(3));
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
      await t.reset();
      const many = await readsPerItem(200);
      // A drain that read or sorted the whole queue per upload would read 10 times more per photo.
      expect(many).toBeLessThan(few * 1.1);
    },
  );
});
