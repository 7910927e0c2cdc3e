import type { TokenScope, User } from '../../shared/api';
import type { Db } from '../db';
import { findToken } from './api-tokens';
import { findSession } from './sessions';

/** Who is calling, and how they proved it. */
export type Principal =
  | { kind: 'session'; user: User; sessionId: string }
  | { kind: 'token'; user: User; tokenId: string; scope: TokenScope };

/** Credentials that were presented and are refused for a reason worth telling the caller. */
export interface Refusal {
  kind: 'refused';
  message: string;
}

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
export async function authenticate(
  db: Db,
  credentials: Credentials,
  now: Date,
): Promise<Principal | Refusal | null> {
  if (credentials.authorization !== undefined) {
    const token = BEARER.exec(credentials.authorization)?.[1];
    if (token === undefined) return null;
    const found = await findToken(db, token, now);
    switch (found.status) {
      case 'unknown':
        return null;
      case 'expired':
        return { kind: 'refused', message: 'This API token has expired. Create a new one in Settings.' };
      case 'valid':
        return { kind: 'token', user: found.user, tokenId: found.tokenId, scope: found.scope };
    }
  }
  if (credentials.sessionSecret === undefined || credentials.sessionSecret === '') return null;
  const found = await findSession(db, credentials.sessionSecret, now);
  return found === null ? null : { kind: 'session', ...found };
}
