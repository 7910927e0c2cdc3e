import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type DatabaseHandle, type Db } from '../db';
import { openTestDatabase, testDialects, type TestDatabase } from '../db/testing';
import { deleteIfUnreferenced, dropBlobRefs, holdBlob, releaseBlob } from './blob-refs';
import type { BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';

const KEY = `owner/ab/${'ab'.repeat(32)}`;
const now = new Date('2030-01-01T00:00:00.000Z');

/** A filesystem store whose deletes wait for `beforeDelete` (a test's gate or a random pause). */
function storeWith(root: string, beforeDelete: () => Promise<void>): BlobStore & { put(): Promise<void> } {
  const files = new FsBlobStore(root);
  let n = 0;
  return {
    putFile: (key, source) => files.putFile(key, source),
    createReadStream: (key, range) => files.createReadStream(key, range),
    stat: (key) => files.stat(key),
    exists: (key) => files.exists(key),
    delete: async (key) => {
      await beforeDelete();
      await files.delete(key);
    },
    /** Stores KEY's bytes, as an upload does once it holds a reference. */
    async put() {
      const source = path.join(root, `upload-${(n += 1)}`);
      await fs.writeFile(source, 'the photo');
      await files.putFile(KEY, source);
    },
  };
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.each(testDialects())('blob references on %s', (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let other: DatabaseHandle;
  /**
   * The database as another process sees it. On PostgreSQL, connections of its own. SQLite's
   * driver waits for a lock synchronously, which in one process would stall the very transaction
   * it waits for: there, the second "process" shares the connection, and its steps still
   * interleave with the first one's at every await.
   */
  let second: Db;
  let root: string;

  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    db = database.handle.db;
    other = await openDatabase(database.location);
    second = dialect === 'postgres' ? other.db : db;
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-blob-refs-'));
  });
  afterEach(async () => {
    await other.db.destroy();
    await database.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const refs = async (): Promise<number | undefined> =>
    (await db.selectFrom('blobs').select('refs').where('key', '=', KEY).executeTakeFirst())?.refs;

  it('deletes the bytes with the last reference, and only then', async () => {
    const store = storeWith(root, () => Promise.resolve());
    await holdBlob(db, KEY, now);
    await store.put();
    await holdBlob(second, KEY, now);
    expect(await refs()).toBe(2);

    expect(await dropBlobRefs(db, [KEY], now)).toEqual([]);
    expect(await deleteIfUnreferenced(db, store, KEY)).toBe(false);
    expect(await store.exists(KEY)).toBe(true);

    await releaseBlob(second, store, KEY, now);
    expect(await refs()).toBeUndefined();
    expect(await store.exists(KEY)).toBe(false);
    // Twice is harmless, and so is a key nobody counted.
    expect(await deleteIfUnreferenced(db, store, KEY)).toBe(false);
  });

  it('drops as many references as assets leave in one purge', async () => {
    for (let i = 0; i < 3; i += 1) await holdBlob(db, KEY, now);
    expect(await dropBlobRefs(db, [KEY, KEY], now)).toEqual([]);
    expect(await refs()).toBe(1);
    expect(await dropBlobRefs(db, [KEY], now)).toEqual([KEY]);
  });

  it('never loses the bytes of an upload deduplicated onto them while a purge deletes them', async () => {
    // Each round one asset's reference goes (a purge in one process) while an upload of the same
    // bytes holds, stores and keeps one (another process), with random timing either side.
    const store = storeWith(root, () => pause(Math.random() * 4));
    await holdBlob(db, KEY, now);
    await store.put();
    for (let round = 0; round < 25; round += 1) {
      const purge = (async () => {
        await pause(Math.random() * 4);
        const emptied = await dropBlobRefs(db, [KEY], now);
        for (const key of emptied) await deleteIfUnreferenced(db, store, key);
      })();
      const upload = (async () => {
        await pause(Math.random() * 4);
        await holdBlob(second, KEY, now);
        await pause(Math.random() * 4);
        await store.put();
      })();
      await Promise.all([purge, upload]);
      expect(await refs()).toBe(1);
      expect(await store.exists(KEY)).toBe(true);
    }
  });
});

// PostgreSQL lets one see the wait itself: the upload's insert blocked on the purge's transaction.
if (testDialects().includes('postgres')) {
  describe('blob references on postgres, step by step', () => {
    let database: TestDatabase;
    let db: Db;
    let other: DatabaseHandle;
    let root: string;

    beforeEach(async () => {
      database = await openTestDatabase('postgres');
      db = database.handle.db;
      other = await openDatabase(database.location);
      root = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-blob-refs-'));
    });
    afterEach(async () => {
      await other.db.destroy();
      await database.close();
      await fs.rm(root, { recursive: true, force: true });
    });

    const refs = async (): Promise<number | undefined> =>
      (await db.selectFrom('blobs').select('refs').where('key', '=', KEY).executeTakeFirst())?.refs;

    it('makes an upload wait while the last reference’s bytes are being deleted, then store them afresh', async () => {
      let release: () => void = () => undefined;
      let entered: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const deleting = new Promise<void>((resolve) => (entered = resolve));
      const store = storeWith(root, () => {
        entered();
        return gate;
      });
      await holdBlob(db, KEY, now);
      await store.put();
      await dropBlobRefs(db, [KEY], now);
      const purge = deleteIfUnreferenced(db, store, KEY);
      await deleting;

      const order: string[] = [];
      const upload = holdBlob(other.db, KEY, now).then(() => order.push('held'));
      // The upload's insert waits for the purge's transaction, which deleted the row.
      await vi.waitFor(async () => {
        const waiting = await sql<{ count: number }>`
            select count(*)::int as count from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into "blobs"%'
          `.execute(db);
        expect(waiting.rows[0]?.count).toBe(1);
      });
      order.push('deleted');
      release();
      expect(await purge).toBe(true);
      await upload;
      expect(order).toEqual(['deleted', 'held']);
      await store.put();
      expect(await refs()).toBe(1);
      expect(await store.exists(KEY)).toBe(true);
    });
  });
}
