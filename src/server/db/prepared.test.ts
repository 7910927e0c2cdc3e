import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './index';
import { PreparedQuery } from './prepared';

let dir: string;
let db: Db;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-prepared-'));
  db = await openDatabase(path.join(dir, 'shoebox.sqlite'));
  for (const [id, email] of [
    ['u1', 'ada@example.com'],
    ['u2', 'bob@example.com'],
    ['u3', 'cy@example.com'],
  ] as const) {
    await db
      .insertInto('users')
      .values({
        id,
        email,
        name: email,
        password_hash: 'x',
        role: 'member',
        created_at: `2026-01-0${id.at(-1)}`,
      })
      .execute();
  }
});

afterEach(async () => {
  await db.destroy();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('PreparedQuery', () => {
  it('answers each call with its own values, as the query built afresh would', async () => {
    const build = (on: Db, after: string, except: string, limit: number) =>
      on
        .selectFrom('users')
        .select(['id', 'email'])
        .where('created_at', '>', after)
        .where('id', '!=', except)
        .where('role', '=', 'member')
        .orderBy('id')
        .limit(limit);
    const prepared = new PreparedQuery(build);
    for (const [after, except, limit] of [
      ['2026-01-00', 'u2', 10],
      ['2026-01-01', 'u9', 1],
      ['2026-01-02', 'u3', 5],
      ['2026-01-09', 'u1', 5],
    ] as const) {
      expect(await prepared.execute(db, after, except, limit)).toEqual(
        await build(db, after, except, limit).execute(),
      );
    }
    expect(await prepared.executeTakeFirst(db, '2026-01-00', 'u1', 10)).toEqual({
      id: 'u2',
      email: 'bob@example.com',
    });
  });

  it('refuses a query that writes an argument into its SQL', () => {
    const prepared = new PreparedQuery((on: Db, id: string) =>
      on.selectFrom('users').selectAll().where(sql.ref('id'), '=', sql.lit(id)),
    );
    expect(() => prepared.compileFor(db, 'u1')).toThrow(/writes an argument into its SQL/);
  });
});
