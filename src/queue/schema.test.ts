import 'fake-indexeddb/auto';
import { unwrap } from 'idb';
import type { StoreNames, StoreValue } from 'idb';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { BackupFolder, SeenFile } from './folder';
import type { QueueItem } from './item';
import type { LegacyItem } from './legacy';
import { DB_VERSION, UPGRADES, openShoeboxDb } from './schema';
import type { ShoeboxDB, UpgradeStep } from './schema';

const uniqueName = (): string => `schema-test-${crypto.randomUUID()}`;

describe('schema', () => {
  it('has one upgrade step per version', () => {
    expect(UPGRADES).toHaveLength(DB_VERSION);
  });

  it('creates the stores and indexes of the current version', async () => {
    const db = await openShoeboxDb({ name: uniqueName() });
    expect([...db.objectStoreNames].sort()).toEqual(['blobs', 'folderFiles', 'folders', 'items', 'settings']);
    const items = db.transaction('items').store;
    expect(items.keyPath).toBe('id');
    expect([...items.indexNames].sort()).toEqual([
      'by-addedAt',
      'by-due',
      'by-order',
      'by-owner',
      'by-state',
    ]);
    const files = db.transaction('folderFiles').store;
    expect(files.keyPath).toEqual(['folderId', 'path']);
    expect([...files.indexNames]).toEqual(['by-size']);
    db.close();
  });

  it('declares the store types once', () => {
    expectTypeOf<StoreNames<ShoeboxDB>>().toEqualTypeOf<
      'items' | 'blobs' | 'settings' | 'folders' | 'folderFiles'
    >();
    expectTypeOf<StoreValue<ShoeboxDB, 'items'>>().toEqualTypeOf<QueueItem>();
    expectTypeOf<StoreValue<ShoeboxDB, 'blobs'>>().toEqualTypeOf<Blob>();
    expectTypeOf<StoreValue<ShoeboxDB, 'folders'>>().toEqualTypeOf<BackupFolder>();
    expectTypeOf<StoreValue<ShoeboxDB, 'folderFiles'>>().toEqualTypeOf<SeenFile>();
  });
});

describe('upgrades', () => {
  it('upgrades a version 1 queue to version 2 without losing an item, blob or setting', async () => {
    const name = uniqueName();
    const v1 = await openShoeboxDb({ name, version: 1 });
    expect([...v1.objectStoreNames].sort()).toEqual(['blobs', 'items', 'settings']);
    const item: LegacyItem = {
      id: 'item-1',
      state: 'queued',
      name: 'a.jpg',
      size: 4,
      type: 'image/jpeg',
      addedAt: 1,
      lastModified: null,
      sourceSha256: null,
      sha256: null,
      capturedAt: null,
      attempts: 0,
      upload: null,
      blobKey: 'item-1/original',
    };
    // Through the raw store: version 1's records are not today's QueueItem.
    const put = unwrap(v1).transaction('items', 'readwrite').objectStore('items').put(item);
    await new Promise((resolve) => (put.onsuccess = resolve));
    await v1.put('blobs', new Blob(['kept']), 'item-1/original');
    await v1.put('settings', { quality: 'original' }, 'backup');
    v1.close();

    const v2 = await openShoeboxDb({ name, version: 2 });
    expect(v2.version).toBe(2);
    expect(await v2.getAll('items')).toEqual([item]);
    expect(await (await v2.get('blobs', 'item-1/original'))?.text()).toBe('kept');
    expect(await v2.get('settings', 'backup')).toEqual({ quality: 'original' });
    expect(await v2.count('folders')).toBe(0);
    expect(await v2.count('folderFiles')).toBe(0);
    v2.close();
  });

  it('rewrites every version 2 record into the version 3 union, keeping files, hashes and resume points', async () => {
    const name = uniqueName();
    const v2 = await openShoeboxDb({ name, version: 2 });
    const legacy = (id: string, fields: Partial<LegacyItem>): LegacyItem => ({
      id,
      state: 'queued',
      name: `${id}.jpg`,
      size: 10,
      type: 'image/jpeg',
      addedAt: 1,
      lastModified: null,
      sourceSha256: null,
      sha256: null,
      capturedAt: null,
      attempts: 0,
      upload: null,
      blobKey: `${id}/original`,
      ownerId: 'u1',
      ownerEmail: 'ada@example.com',
      ...fields,
    });
    const hashes = {
      sourceSha256: 'a'.repeat(64),
      sha256: 'b'.repeat(64),
      capturedAt: '2020-01-01T00:00:00Z',
    };
    const records = [
      legacy('queued', {}),
      legacy('ready', { state: 'ready', ...hashes, uploadBlobKey: 'ready/upload', uploadSize: 4 }),
      legacy('uploading', {
        state: 'uploading',
        ...hashes,
        type: 'video/mp4',
        upload: { url: 'u', offset: 5 },
      }),
      legacy('failed', { state: 'failed', ...hashes, attempts: 3, nextAttemptAt: 99, error: 'Down.' }),
      legacy('done', { state: 'done', ...hashes, blobKey: null, assetId: 'asset-1', outcome: 'duplicate' }),
      legacy('skipped', { state: 'skipped', reason: 'Too big.' }),
      legacy('signed-out', { state: 'blocked', ...hashes, cause: 'signed-out', reason: 'Sign in.' }),
      legacy('no-room', { state: 'blocked', blobKey: null, cause: 'storage', reason: 'No room.' }),
    ];
    const raw = unwrap(v2).transaction(['items', 'blobs'], 'readwrite');
    for (const record of records) raw.objectStore('items').put(record);
    raw.objectStore('blobs').put(new Blob(['kept']), 'ready/original');
    raw.objectStore('blobs').put(new Blob(['copy']), 'ready/upload');
    await new Promise((resolve) => (raw.oncomplete = resolve));
    v2.close();

    const v3 = await openShoeboxDb({ name });
    const items = Object.fromEntries((await v3.getAll('items')).map((item) => [item.id, item]));
    const owner = { id: 'u1', email: 'ada@example.com' };
    const prepared = { ...hashes, copy: null, posterKey: null, note: null };
    expect(items.queued).toEqual({
      id: 'queued',
      state: 'queued',
      name: 'queued.jpg',
      size: 10,
      type: 'image/jpeg',
      rank: 0,
      addedAt: 1,
      lastModified: null,
      owner,
      blobKey: 'queued/original',
    });
    expect(items.ready).toMatchObject({
      state: 'ready',
      prepared: { ...prepared, copy: { key: 'ready/upload', size: 4 } },
      upload: null,
      attempts: 0,
    });
    // Left over from a closed app: resumes as ready, from the offset kept.
    expect(items.uploading).toMatchObject({ state: 'ready', rank: 1, upload: { url: 'u', offset: 5 } });
    expect(items.failed).toMatchObject({
      state: 'failed',
      prepared,
      attempts: 3,
      nextAttemptAt: 99,
      error: 'Down.',
    });
    expect(items.done).toMatchObject({ state: 'done', ...hashes, assetId: 'asset-1', outcome: 'duplicate' });
    expect(items.done).not.toHaveProperty('blobKey');
    expect(items.skipped).toMatchObject({
      state: 'skipped',
      reason: 'Too big.',
      blobKey: 'skipped/original',
    });
    expect(items['signed-out']).toMatchObject({
      state: 'blocked',
      cause: 'signed-out',
      resume: { state: 'ready', blobKey: 'signed-out/original', prepared },
    });
    expect(items['no-room']).toEqual(
      expect.objectContaining({ state: 'blocked', cause: 'storage', reason: 'No room.' }),
    );
    expect(await v3.getAllKeysFromIndex('items', 'by-due')).toEqual(['failed']);
    expect(await v3.getAllKeysFromIndex('items', 'by-owner', 'u1')).toHaveLength(records.length);
    expect(await (await v3.get('blobs', 'ready/original'))?.text()).toBe('kept');
    expect(await (await v3.get('blobs', 'ready/upload'))?.text()).toBe('copy');
    v3.close();
  });

  it('keeps the data of an earlier version and only runs the later steps', async () => {
    const name = uniqueName();
    const current = await openShoeboxDb({ name });
    await current.put('blobs', new Blob(['kept']), 'k');
    await current.put('settings', { maxPhotoBytes: 1, maxPhotoPixels: 1, maxVideoBytes: 1 }, 'limits');
    current.close();

    // A stand-in for a future step: it adds an index and must not touch what is stored.
    const ran: number[] = [];
    const later: UpgradeStep = (_db, transaction) => {
      ran.push(DB_VERSION + 1);
      // Through the raw store: the index is not part of today's typed schema.
      unwrap(transaction.objectStore('items')).createIndex('by-sourceSha256', 'sourceSha256');
    };
    const earlier = UPGRADES.map((step, index): UpgradeStep => (...args) => {
      ran.push(index + 1);
      step(...args);
    });
    const next = await openShoeboxDb({ name, version: DB_VERSION + 1, steps: [...earlier, later] });
    expect(ran).toEqual([DB_VERSION + 1]);
    expect(await (await next.get('blobs', 'k'))?.text()).toBe('kept');
    expect(await next.get('settings', 'limits')).toEqual({
      maxPhotoBytes: 1,
      maxPhotoPixels: 1,
      maxVideoBytes: 1,
    });
    expect([...next.transaction('items').store.indexNames]).toContain('by-sourceSha256');
    next.close();
  });

  it('reopening at the same version runs no step', async () => {
    const name = uniqueName();
    (await openShoeboxDb({ name })).close();
    let ran = false;
    const db = await openShoeboxDb({
      name,
      steps: UPGRADES.map(() => () => {
        ran = true;
      }),
    });
    expect(ran).toBe(false);
    db.close();
  });

  it('refuses to open a version it has no step for', async () => {
    await expect(openShoeboxDb({ name: uniqueName(), version: DB_VERSION + 1 })).rejects.toThrow(
      `No IndexedDB upgrade step from version ${DB_VERSION}.`,
    );
  });
});
