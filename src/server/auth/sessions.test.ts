import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db';
import { authenticateNow } from './principal';
import { createSession, deleteSession, findSession, findSessionNow } from './sessions';

let dir: string;
let db: Db;
const now = new Date('2026-03-01T12:00:00.000Z');
const user = {
  id: 'u1',
  email: 'ada@example.com',
  name: 'Ada',
  role: 'owner' as const,
  createdAt: '2026-01-01T00:00:00.000Z',
  quotaBytes: null,
};

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-sessions-'));
  db = await openDatabase(path.join(dir, 'shoebox.sqlite'));
  await db
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email,
      name: user.name,
      password_hash: 'x',
      role: user.role,
      created_at: user.createdAt,
    })
    .execute();
});

afterEach(async () => {
  await db.destroy();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('findSessionNow', () => {
  it('answers at once from the database, and refuses a deleted session on the very next call', async () => {
    const { secret } = await createSession(db, user.id, now);
    const found = findSessionNow(db, secret, now);
    expect(found).toEqual({ sessionId: expect.any(String) as string, user });
    expect(await findSession(db, secret, now)).toEqual(found);
    expect(authenticateNow(db, { sessionSecret: secret, authorization: undefined }, now)).toEqual({
      kind: 'session',
      ...found,
    });

    await deleteSession(db, found?.sessionId ?? '');
    expect(findSessionNow(db, secret, now)).toBeNull();
    expect(authenticateNow(db, { sessionSecret: secret, authorization: undefined }, now)).toBeNull();
  });

  it('refuses an expired session and an unknown secret', async () => {
    const { secret, expiresAt } = await createSession(db, user.id, now);
    expect(findSessionNow(db, secret, new Date(expiresAt.getTime() + 1))).toBeNull();
    expect(findSessionNow(db, 'not a secret anyone was given', now)).toBeNull();
  });

  it('leaves to findSession what it cannot answer at once: a read inside a transaction, a Bearer token', async () => {
    const { secret } = await createSession(db, user.id, now);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ name: 'Ada L.' }).execute();
      expect(findSessionNow(db, secret, now)).toBeUndefined();
    });
    expect(findSessionNow(db, secret, now)?.user.name).toBe('Ada L.');
    expect(
      authenticateNow(db, { sessionSecret: secret, authorization: 'Bearer shoebox_abc' }, now),
    ).toBeUndefined();
    expect(authenticateNow(db, { sessionSecret: undefined, authorization: undefined }, now)).toBeNull();
  });
});
