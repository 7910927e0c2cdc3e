import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Asset, AssetPage } from '../../shared/api';
import type { Db, Dialect } from '../db';
import { openTestDatabase, testDialects, type TestDatabase } from '../db/testing';
import { decodeCursor } from './cursor';
import { albumPageQuery, mergeBuckets, mergePages } from './listings';

function item(id: string, capturedAt: string): Asset {
  return {
    id,
    filename: `${id}.jpg`,
    mimeType: 'image/jpeg',
    bytes: 1,
    sha256: id,
    sourceSha256: id,
    capturedAt,
    capturedOffsetMinutes: null,
    uploadedAt: capturedAt,
    width: 1,
    height: 1,
    durationSeconds: null,
    thumb: { state: 'pending' },
    deletedAt: null,
    ownerId: 'o',
    favorite: false,
    archived: false,
    rotation: 0,
  };
}

describe('merging two listings', () => {
  const own: AssetPage = {
    items: [item('b', '2024-01-03T00:00:00.000Z'), item('a', '2024-01-01T00:00:00.000Z')],
    nextCursor: 'more',
  };
  const shared: AssetPage = {
    items: [item('z', '2024-01-02T00:00:00.000Z'), item('y', '2023-12-31T00:00:00.000Z')],
    nextCursor: null,
  };

  it('takes the newest of both, and continues after the last one taken', () => {
    const page = mergePages(own, shared, 2);
    expect(page.items.map((asset) => asset.id)).toEqual(['b', 'z']);
    expect(decodeCursor(page.nextCursor ?? '')).toEqual({ key: '2024-01-02T00:00:00.000Z', id: 'z' });
  });

  it('breaks ties of capture time by id, newest first like the databases', () => {
    const page = mergePages(
      { items: [item('a', '2024-01-01T00:00:00.000Z')], nextCursor: null },
      { items: [item('b', '2024-01-01T00:00:00.000Z')], nextCursor: null },
      5,
    );
    expect(page).toMatchObject({ items: [{ id: 'b' }, { id: 'a' }], nextCursor: null });
  });

  it('says another page follows while either listing has more', () => {
    expect(mergePages(own, { items: [], nextCursor: null }, 5).nextCursor).not.toBeNull();
    expect(mergePages({ ...own, nextCursor: null }, shared, 4).nextCursor).toBeNull();
  });

  it('adds day counts of the same day', () => {
    expect(
      mergeBuckets(
        { days: [{ day: '2024-01-02', count: 2 }], total: 2 },
        {
          days: [
            { day: '2024-01-03', count: 1 },
            { day: '2024-01-02', count: 1 },
          ],
          total: 2,
        },
      ),
    ).toEqual({
      days: [
        { day: '2024-01-03', count: 1 },
        { day: '2024-01-02', count: 3 },
      ],
      total: 4,
    });
  });
});

/** The plan of a compiled query as one line of text; on PostgreSQL with scans and sorts made dear. */
async function planOf(db: Db, dialect: Dialect, query: CompiledQuery): Promise<string> {
  if (dialect === 'sqlite') {
    const plan = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    );
    return plan.rows.map((row) => row.detail).join('; ');
  }
  // An empty table is read whole and sorted in memory whatever the indexes: with both made dear,
  // a plan that still sorts has no index to page by.
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    await sql`set local enable_sort = off`.execute(trx);
    const plan = await trx.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
    );
    return plan.rows.map((row) => row['QUERY PLAN']).join('; ');
  });
}

describe.each(testDialects())("an album's page on %s", (dialect) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await openTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.close();
  });

  it.each(['desc', 'asc'] as const)(
    'seeks on the album index in %s order, however deep, without sorting the album',
    async (order) => {
      const { db } = database.handle;
      const page = { after: { key: '2024-01-01T00:00:00.000Z', id: randomUUID() }, from: null, limit: 100 };
      const plan = await planOf(db, dialect, albumPageQuery(db, randomUUID(), order, page).compile());
      expect(plan).toContain('album_assets_order');
      expect(plan).not.toMatch(/TEMP B-TREE|Sort/);
    },
  );
});
