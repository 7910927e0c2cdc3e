import type { Db } from '../db';
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

export interface FoundSession {
  sessionId: string;
  user: User;
}

/**
 * The unexpired session with this secret, and its user: one indexed lookup, read from the database
 * on every call, so a session deleted by a sign-out or revocation is refused by the very next request.
 */
export async function findSession(db: Db, secret: string, now: Date): Promise<FoundSession | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id as session_id', ...USER_COLUMNS])
    .where('sessions.id', '=', sha256Hex(secret))
    .where('sessions.expires_at', '>', now.toISOString())
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  return row === undefined ? null : { sessionId: row.session_id, user: toUser(row) };
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of a user but `keep` (the one asking, after a password change). */
export async function deleteUserSessions(db: Db, userId: string, keep?: string): Promise<void> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keep !== undefined) query = query.where('id', '!=', keep);
  await query.execute();
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).execute();
}
