import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db, Dialect } from '../db';
import { openTestDatabase, testDialects, type TestDatabase } from '../db/testing';
import { dayBucketsQuery, listDayBuckets } from './assets';
import { restoreAssets, trashAssets } from './trash';

let database: TestDatabase;
let db: Db;

async function addUser(email: string): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('users')
    .values({
      id,
      email,
      name: email,
      password_hash: 'x',
      role: 'member',
      created_at: '2026-01-01T00:00:00.000Z',
    })
    .execute();
  return id;
}

async function addAsset(ownerId: string, capturedAt: string): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('assets')
    .values({
      id,
      owner_id: ownerId,
      filename: 'IMG.jpg',
      mime_type: 'image/jpeg',
      bytes: 1,
      sha256: id,
      source_sha256: id,
      captured_at: capturedAt,
      uploaded_at: capturedAt,
      blob_key: id,
    })
    .execute();
  return id;
}

/** The buckets worked out from the rows themselves, as the answer must stay. */
async function expected(ownerId: string): Promise<{ days: { day: string; count: number }[]; total: number }> {
  const rows = await db
    .selectFrom('assets')
    .select('captured_at')
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .execute();
  const counts = new Map<string, number>();
  for (const row of rows) {
    const day = row.captured_at.slice(0, 10);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  const days = [...counts].map(([day, count]) => ({ day, count })).sort((a, b) => (a.day < b.day ? 1 : -1));
  return { days, total: rows.length };
}

/** The query plan of the day buckets' query, as one line of text. */
async function dayBucketsPlan(dialect: Dialect, owner: string): Promise<string> {
  const { sql: query, parameters } = dayBucketsQuery(db, owner).compile();
  if (dialect === 'sqlite') {
    const plan = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query}`, [...parameters]),
    );
    return plan.rows.map((row) => row.detail).join('; ');
  }
  // An empty table is read whole and sorted in memory, whatever the indexes: with both of those
  // made dear, a plan that still sorts has no index to group on.
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    await sql`set local enable_sort = off`.execute(trx);
    const plan = await trx.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain ${query}`, [...parameters]),
    );
    return plan.rows.map((row) => row['QUERY PLAN']).join('; ');
  });
}

describe.each(testDialects())('day buckets on %s', (dialect) => {
  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    db = database.handle.db;
  });

  afterEach(async () => {
    await database.close();
  });

  it('group on the day index, without sorting the library', async () => {
    const owner = await addUser('owner@example.com');
    const plan = await dayBucketsPlan(dialect, owner);
    expect(plan).toContain('assets_owner_timeline_day');
    expect(plan).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it('stay right after uploads, a changed capture time, trash, restore and purge', async () => {
    const owner = await addUser('owner@example.com');
    const other = await addUser('other@example.com');
    const ids = [
      await addAsset(owner, '2024-05-01T23:59:59.999Z'),
      await addAsset(owner, '2024-05-01T08:00:00.000Z'),
      await addAsset(owner, '2024-05-02T00:00:00.000Z'),
      await addAsset(owner, '2019-12-31T12:00:00.000Z'),
    ];
    await addAsset(other, '2024-05-01T10:00:00.000Z');
    expect(await listDayBuckets(db, owner)).toEqual({
      days: [
        { day: '2024-05-02', count: 1 },
        { day: '2024-05-01', count: 2 },
        { day: '2019-12-31', count: 1 },
      ],
      total: 4,
    });

    // The metadata job corrects a capture time read from the file: the asset moves to its day.
    await db
      .updateTable('assets')
      .set({ captured_at: '2020-01-01T09:00:00.000Z' })
      .where('id', '=', ids[3]!)
      .execute();
    expect(await listDayBuckets(db, owner)).toEqual(await expected(owner));

    const now = new Date('2026-01-01T00:00:00.000Z');
    await trashAssets(db, owner, [ids[0]!, ids[2]!], now);
    expect(await listDayBuckets(db, owner)).toEqual({
      days: [
        { day: '2024-05-01', count: 1 },
        { day: '2020-01-01', count: 1 },
      ],
      total: 2,
    });
    expect(await listDayBuckets(db, owner)).toEqual(await expected(owner));

    await restoreAssets(db, owner, [ids[2]!]);
    expect(await listDayBuckets(db, owner)).toEqual(await expected(owner));
    expect((await listDayBuckets(db, owner)).total).toBe(3);

    // Purging deletes the trashed rows (library/trash.ts purgeTrash); the buckets never counted them.
    await db.deleteFrom('assets').where('deleted_at', 'is not', null).execute();
    expect(await listDayBuckets(db, owner)).toEqual(await expected(owner));
    expect(await listDayBuckets(db, other)).toEqual({ days: [{ day: '2024-05-01', count: 1 }], total: 1 });
  });
});
