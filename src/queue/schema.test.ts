import 'fake-indexeddb/auto';
import { unwrap } from 'idb';
import type { StoreNames, StoreValue } from 'idb';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { QueueItem } from './item';
import { DB_VERSION, UPGRADES, openShoeboxDb } from './schema';
import type { ShoeboxDB, UpgradeStep } from './schema';

const uniqueName = (): string => `schema-test-${crypto.randomUUID()}`;

describe('schema', () => {
  it('has one upgrade step per version', () => {
    expect(UPGRADES).toHaveLength(DB_VERSION);
  });

  it('creates the stores and indexes of the current version', async () => {
    const db = await openShoeboxDb({ name: uniqueName() });
    expect([...db.objectStoreNames].sort()).toEqual(['blobs', 'items', 'settings']);
    const items = db.transaction('items').store;
    expect(items.keyPath).toBe('id');
    expect([...items.indexNames].sort()).toEqual(['by-addedAt', 'by-state']);
    db.close();
  });

  it('declares the store types once', () => {
    expectTypeOf<StoreNames<ShoeboxDB>>().toEqualTypeOf<'items' | 'blobs' | 'settings'>();
    expectTypeOf<StoreValue<ShoeboxDB, 'items'>>().toEqualTypeOf<QueueItem>();
    expectTypeOf<StoreValue<ShoeboxDB, 'blobs'>>().toEqualTypeOf<Blob>();
  });
});

describe('upgrades', () => {
  it('keeps the data of an earlier version and only runs the later steps', async () => {
    const name = uniqueName();
    const v1 = await openShoeboxDb({ name });
    await v1.put('blobs', new Blob(['kept']), 'k');
    await v1.put('settings', { maxPhotoBytes: 1, maxPhotoPixels: 1, maxVideoBytes: 1 }, 'limits');
    v1.close();

    // A stand-in for a future step: it adds an index and must not touch what is stored.
    const ran: number[] = [];
    const later: UpgradeStep = (_db, transaction) => {
      ran.push(2);
      // Through the raw store: the index is not part of today's typed schema.
      unwrap(transaction.objectStore('items')).createIndex('by-sourceSha256', 'sourceSha256');
    };
    const first: UpgradeStep = (...args) => {
      ran.push(1);
      UPGRADES[0]?.(...args);
    };
    const v2 = await openShoeboxDb({ name, version: 2, steps: [first, later] });
    expect(ran).toEqual([2]);
    expect(await (await v2.get('blobs', 'k'))?.text()).toBe('kept');
    expect(await v2.get('settings', 'limits')).toEqual({
      maxPhotoBytes: 1,
      maxPhotoPixels: 1,
      maxVideoBytes: 1,
    });
    expect([...v2.transaction('items').store.indexNames]).toContain('by-sourceSha256');
    v2.close();
  });

  it('reopening at the same version runs no step', async () => {
    const name = uniqueName();
    (await openShoeboxDb({ name })).close();
    let ran = false;
    const db = await openShoeboxDb({
      name,
      steps: [
        () => {
          ran = true;
        },
      ],
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
