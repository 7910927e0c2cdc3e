import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialectOf, openDatabase, type Database, type Db } from './index';
import { migrationProvider } from './migrations';
import { cachingStatements } from './sqlite';
import { openTestDatabase, testDialects, type TestDatabase } from './testing';

const user = (id: string) => ({
  id,
  email: `${id}@example.com`,
  name: id,
  password_hash: 'x',
  role: 'member' as const,
  created_at: '2026-01-01',
});

describe('cachingStatements', () => {
  it('prepares each statement once and hands a fresh one to a caller while it iterates', () => {
    const sqlite = new SQLite(':memory:');
    const database = cachingStatements(sqlite);
    try {
      const source = 'select value from json_each(?)';
      const first = database.prepare(source);
      expect(database.prepare(source)).toBe(first);
      expect(database.prepare('select 1')).not.toBe(first);

      // A streamed query holds its statement busy: running the same SQL meanwhile must still work.
      const rows = first.iterate('[1, 2]');
      const firstRow: unknown = rows.next().value;
      const during = database.prepare(source);
      expect(during).not.toBe(first);
      expect(during.all(['[3]'])).toEqual([{ value: 3 }]);
      expect(firstRow).toEqual({ value: 1 });
      expect([...rows]).toEqual([{ value: 2 }]);
      // The cached statement is the one kept once it is free again.
      expect(database.prepare(source)).toBe(first);
      // Kysely's `begin` takes the write lock at once (another process may write meanwhile).
      expect(database.prepare('begin').source).toBe('begin immediate');
    } finally {
      database.close();
    }
  });
});

describe('a full SQLite database (issue 18)', () => {
  it('fails a transaction with SQLITE_FULL, not with the rollback SQLite already did', async () => {
    const sqlite = new SQLite(':memory:');
    const db = new Kysely<{ t: { v: string } }>({
      dialect: new SqliteDialect({ database: cachingStatements(sqlite) }),
    });
    try {
      await sql`create table t (v text)`.execute(db);
      // A database that may not grow: as full as a full disk.
      sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true }))}`);
      const attempt = db.transaction().execute(async (trx) => {
        await trx
          .insertInto('t')
          .values({ v: 'x'.repeat(1_000_000) })
          .execute();
      });
      await expect(attempt).rejects.toMatchObject({ code: 'SQLITE_FULL' });
      // The connection goes on working.
      expect(await db.selectFrom('t').selectAll().execute()).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});

describe.each(testDialects())('the database on %s', (dialect) => {
  let database: TestDatabase;
  let db: Db;

  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    db = database.handle.db;
  });
  afterEach(async () => {
    await database.close();
  });

  it('knows its dialect, in a transaction too', async () => {
    expect(database.handle.dialect).toBe(dialect);
    expect(dialectOf(db)).toBe(dialect);
    await db.transaction().execute((trx) => {
      expect(dialectOf(trx)).toBe(dialect);
      return Promise.resolve();
    });
  });

  it('migrates once: opening it again finds the schema up to date and the rows kept', async () => {
    await db.insertInto('users').values(user('u1')).execute();
    const again = await openDatabase(database.location);
    try {
      expect(await again.db.selectFrom('users').select('id').execute()).toEqual([{ id: 'u1' }]);
    } finally {
      await again.db.destroy();
    }
  });

  it('reads bigint columns and counts as numbers, as large as a 10 GB video', async () => {
    await db.insertInto('users').values(user('u1')).execute();
    await db
      .insertInto('assets')
      .values({
        id: 'a1',
        owner_id: 'u1',
        filename: 'VID.mp4',
        mime_type: 'video/mp4',
        bytes: 10_000_000_000,
        sha256: 'a',
        source_sha256: 'a',
        captured_at: '2026-01-01T00:00:00.000Z',
        uploaded_at: '2026-01-01T00:00:00.000Z',
        blob_key: 'k',
      })
      .execute();
    const row = await db
      .selectFrom('assets')
      .select((eb) => ['bytes', eb.fn.countAll().as('count')])
      .groupBy('bytes')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ bytes: 10_000_000_000, count: 1 });
  });

  it('gives the cameras indexed before 0014 their normalised model, down and up again', async () => {
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('0013_search_scope')).error).toBeUndefined();
    const before = db as unknown as Kysely<{ cameras: Omit<Database['cameras'], 'model_key'> }>;
    await before
      .insertInto('cameras')
      .values([
        {
          id: 'Apple/iPhone 6',
          make: 'Apple',
          model: 'iPhone  6',
          label: 'Apple iPhone 6',
          key: 'apple iphone 6',
          make_key: 'apple',
        },
        { id: 'Acme/', make: 'Acme', model: null, label: 'Acme', key: 'acme', make_key: 'acme' },
      ])
      .execute();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await db.selectFrom('cameras').select(['id', 'model_key']).orderBy('id').execute()).toEqual([
      { id: 'Acme/', model_key: null },
      { id: 'Apple/iPhone 6', model_key: 'iphone 6' },
    ]);
  });

  it('rolls a failed transaction back', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(user('u1')).execute();
        await trx.insertInto('users').values(user('u1')).execute();
      }),
    ).rejects.toThrow();
    expect(await db.selectFrom('users').select('id').execute()).toEqual([]);
    expect(await sql<{ one: number }>`select 1 as one`.execute(db)).toMatchObject({ rows: [{ one: 1 }] });
  });
});
