import type { User } from '../../shared/api';
import type { Db } from '../db';
import { findToken } from './api-tokens';
import { findSession } from './sessions';

/** Who is calling, and how they proved it. */
export type Principal =
  { kind: 'session'; user: User; sessionId: string } | { kind: 'token'; user: User; tokenId: string };

export interface Credentials {
  /** The `shoebox_session` cookie's value. */
  sessionSecret: string | undefined;
  /** The `Authorization` header. */
  authorization: string | undefined;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Resolves the caller. A request that presents an Authorization header is judged by it alone:
 * a revoked token does not quietly fall back to a cookie the same client might also send.
 */
export async function authenticate(db: Db, credentials: Credentials, now: Date): Promise<Principal | null> {
  if (credentials.authorization !== undefined) {
    const token = BEARER.exec(credentials.authorization)?.[1];
    if (token === undefined) return null;
    const found = await findToken(db, token, now);
    return found === null ? null : { kind: 'token', ...found };
  }
  if (credentials.sessionSecret === undefined || credentials.sessionSecret === '') return null;
  const found = await findSession(db, credentials.sessionSecret, now);
  return found === null ? null : { kind: 'session', ...found };
}
