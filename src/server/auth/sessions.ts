import { readNow, type Db } from '../db';
import { PreparedQuery } from '../db/prepared';
import { randomSecret, sha256Hex } from './secrets';
import { USER_COLUMNS, toUser } from './users';
import type { User } from '../../shared/api';

export const SESSION_COOKIE = 'shoebox_session';
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface NewSession {
  /** Goes into the cookie, never into the database. */
  secret: string;
  expiresAt: Date;
}

export async function createSession(db: Db, userId: string, now: Date): Promise<NewSession> {
  const secret = randomSecret();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db
    .insertInto('sessions')
    .values({
      id: sha256Hex(secret),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
    })
    .execute();
  return { secret, expiresAt };
}

/** The session with this hashed secret, unexpired, and its user: one indexed lookup, built once. */
const sessionQuery = new PreparedQuery((db: Db, id: string, now: string) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id as session_id', ...USER_COLUMNS])
    .where('sessions.id', '=', id)
    .where('sessions.expires_at', '>', now),
);

export interface FoundSession {
  sessionId: string;
  user: User;
}

/**
 * findSession answered at once from the database (readNow), or undefined when it cannot answer
 * at once: then findSession waits its turn. Still the database's answer on every call, so a
 * session deleted by a sign-out or revocation is refused by the very next request.
 */
export function findSessionNow(db: Db, secret: string, now: Date): FoundSession | null | undefined {
  const rows = readNow(db, sessionQuery.compileFor(db, sha256Hex(secret), now.toISOString()));
  if (rows === undefined) return undefined;
  const row = rows[0];
  return row === undefined ? null : { sessionId: row.session_id, user: toUser(row) };
}

export async function findSession(db: Db, secret: string, now: Date): Promise<FoundSession | null> {
  const found = findSessionNow(db, secret, now);
  if (found !== undefined) return found;
  const row = await sessionQuery.executeTakeFirst(db, sha256Hex(secret), now.toISOString());
  return row === undefined ? null : { sessionId: row.session_id, user: toUser(row) };
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).execute();
}
