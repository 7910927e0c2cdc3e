import { describe, expect, it } from 'vitest';
import { ADD_BATCH_BYTES, ADD_BATCH_SIZE, OUT_OF_STORAGE_REASON, SIZE_SLICE_MS } from './adding';
import { QueueTransitionError } from './queueDb';
import { photo, useTestQueue } from './testing/testQueue';

const t = useTestQueue();

describe('addFiles', () => {
  it('stores each file and a queued item, keeping the pick order', async () => {
    const added = await t.queue.addFiles([photo('one.jpg', 5), photo('two.jpg', 1), photo('three.jpg', 9)]);
    expect(added.map((item) => item.state)).toEqual(['queued', 'queued', 'queued']);

    const listed = await t.queue.list();
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
    expect(await (await t.queue.getBlob(`${added[0]?.id}/original`))?.text()).toBe('xxxxx');
  });

  it('writes in batches of files and of bytes, announcing each batch with its items', async () => {
    const files = Array.from({ length: ADD_BATCH_SIZE * 2 + 1 }, (_, i) => photo(`p${i}.jpg`));
    const progress: number[] = [];
    await t.queue.addFiles(files, { onProgress: (added) => progress.push(added) });
    expect(progress).toEqual([ADD_BATCH_SIZE, ADD_BATCH_SIZE * 2, ADD_BATCH_SIZE * 2 + 1]);
    expect(t.notices.map((notice) => (notice.type === 'items' ? notice.items.length : 0))).toEqual([
      ADD_BATCH_SIZE,
      ADD_BATCH_SIZE,
      1,
    ]);
    expect(await t.queue.list()).toHaveLength(files.length);

    progress.length = 0;
    const third = Math.ceil(ADD_BATCH_BYTES / 3);
    await t.queue.addFiles(
      ['a', 'b', 'c', 'd'].map((name) => photo(`${name}.jpg`, third)),
      {
        onProgress: (added) => progress.push(added),
      },
    );
    expect(progress).toEqual([2, 4]);
  });

  it('reads the sizes of picked files a few at a time, letting the page run between them', async () => {
    // Each size a synchronous stat, slow on a busy phone: 3 ms here.
    const statted: number[] = [];
    let pageTasks = 0;
    const files = Array.from({ length: 20 }, (_, at) => {
      const file = photo(`p${at}.jpg`);
      const { size } = file;
      Object.defineProperty(file, 'size', {
        get() {
          const until = performance.now() + 3;
          while (performance.now() < until);
          statted.push(pageTasks);
          return size;
        },
      });
      return file;
    });
    const page = (): void => {
      pageTasks += 1;
      if (pageTasks < 1_000) setTimeout(page, 0);
    };
    setTimeout(page, 0);
    await t.queue.addFiles(files);
    pageTasks = 1_000;
    // One batch: without slices its 20 sizes (60 ms) were all read in one task.
    expect(t.notices).toHaveLength(1);
    const firstReads = statted.slice(0, files.length);
    expect(new Set(firstReads).size).toBeGreaterThanOrEqual(Math.floor((20 * 3) / SIZE_SLICE_MS) - 1);
    expect(firstReads.filter((task) => task === firstReads[0]).length).toBeLessThanOrEqual(
      Math.ceil(SIZE_SLICE_MS / 3) + 1,
    );
  });

  it('keeps no lastModified that a Blob-like file does not have', async () => {
    const [item] = await t.queue.addFiles([photo('x.jpg', 1, 0)]);
    expect(item?.lastModified).toBeNull();
  });

  it('lists every file the device has no room for, keeping everything queued before it', async () => {
    await t.queue.addFiles([photo('kept.jpg')]);
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
      const added = await t.queue.addFiles([
        photo('one.jpg', 2),
        photo('huge.jpg', 50),
        photo('small.jpg', 3),
        photo('large.jpg', 60),
      ]);
      expect(added.map((item) => item.state)).toEqual(['queued', 'blocked', 'queued', 'blocked']);
    } finally {
      proto.put = put;
    }
    const items = await t.byName();
    expect(items['kept.jpg']?.state).toBe('queued');
    expect(items['huge.jpg']).toMatchObject({
      state: 'blocked',
      cause: 'storage',
      reason: OUT_OF_STORAGE_REASON,
    });
    expect(items['large.jpg']).toMatchObject({ state: 'blocked', cause: 'storage' });
    expect(await t.queue.getBlob(`${items['huge.jpg']?.id}/original`)).toBeUndefined();
    expect(await t.queue.retry(items['huge.jpg']?.id ?? '').catch((error: unknown) => error)).toBeInstanceOf(
      QueueTransitionError,
    );
  });
});
