import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { openTestDatabase, testDialects, type TestDatabase } from '../db/testing';
import { authenticate } from './principal';
import { createSession, deleteExpiredSessions, deleteSession, findSession } from './sessions';

const now = new Date('2026-03-01T12:00:00.000Z');
const user = {
  id: 'u1',
  email: 'ada@example.com',
  name: 'Ada',
  role: 'owner' as const,
  createdAt: '2026-01-01T00:00:00.000Z',
  quotaBytes: null,
};

describe.each(testDialects())('sessions on %s', (dialect) => {
  let database: TestDatabase;
  let db: Db;

  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    db = database.handle.db;
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
    await database.close();
  });

  it('finds a session by its secret, and refuses a deleted one on the very next call', async () => {
    const { secret } = await createSession(db, user.id, now);
    const found = await findSession(db, secret, now);
    expect(found).toEqual({ sessionId: expect.any(String) as string, user });
    expect(await authenticate(db, { sessionSecret: secret, authorization: undefined }, now)).toEqual({
      kind: 'session',
      ...found,
    });

    await deleteSession(db, found?.sessionId ?? '');
    expect(await findSession(db, secret, now)).toBeNull();
    expect(await authenticate(db, { sessionSecret: secret, authorization: undefined }, now)).toBeNull();
  });

  it('refuses an expired session and an unknown secret, and prunes expired ones', async () => {
    const { secret, expiresAt } = await createSession(db, user.id, now);
    const later = new Date(expiresAt.getTime() + 1);
    expect(await findSession(db, secret, later)).toBeNull();
    expect(await findSession(db, 'not a secret anyone was given', now)).toBeNull();
    expect(await findSession(db, secret, now)).not.toBeNull();
    await deleteExpiredSessions(db, later);
    expect(await db.selectFrom('sessions').select('id').execute()).toEqual([]);
  });

  it('judges a request with an Authorization header by it alone', async () => {
    const { secret } = await createSession(db, user.id, now);
    expect(
      await authenticate(db, { sessionSecret: secret, authorization: 'Bearer sbx_unknown' }, now),
    ).toBeNull();
    expect(await authenticate(db, { sessionSecret: undefined, authorization: undefined }, now)).toBeNull();
  });
});
