import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cachingStatements, openDatabase, readNow, type Db } from './index';

async function withDatabase(test: (db: Db, file: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-db-'));
  const file = path.join(dir, 'shoebox.sqlite');
  const db = await openDatabase(file);
  try {
    await test(db, file);
  } finally {
    await db.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

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
    } finally {
      database.close();
    }
  });
});

describe('readNow', () => {
  it('answers a SELECT at once with the rows Kysely would, and leaves writes and transactions to Kysely', async () => {
    await withDatabase(async (db) => {
      await db
        .insertInto('users')
        .values([user('u1'), user('u2')])
        .execute();
      const select = db.selectFrom('users').select(['id', 'email']).where('id', '!=', 'u2').compile();
      expect(readNow(db, select)).toEqual((await db.executeQuery(select)).rows);
      expect(readNow(db, select)).toEqual([{ id: 'u1', email: 'u1@example.com' }]);

      expect(readNow(db, db.insertInto('users').values(user('u3')).compile())).toBeUndefined();
      expect(await db.selectFrom('users').select('id').execute()).toHaveLength(2);

      // Inside someone else's transaction it would read that transaction's uncommitted rows.
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(user('u4')).execute();
        expect(readNow(db, select)).toBeUndefined();
      });
    });
  });
});
