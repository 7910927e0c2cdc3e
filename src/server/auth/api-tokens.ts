import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ApiToken, CreatedToken, TokenScope, User } from '../../shared/api';
import type { Db } from '../db';
import type { ApiTokensTable } from '../db/schema';
import { randomSecret, sha256Hex } from './secrets';
import { USER_COLUMNS, toUser } from './users';

/** Tokens look like `sbx_<43 base64url chars>`; the prefix makes a leaked one easy to spot. */
export const TOKEN_PREFIX = 'sbx_';

/** last_used_at is refreshed at most this often: a video upload is hundreds of requests. */
const LAST_USED_RESOLUTION_MS = 60_000;

const toApiToken = (row: Selectable<ApiTokensTable>): ApiToken => ({
  id: row.id,
  name: row.name,
  scope: row.scope,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
});

export interface NewToken {
  name: string;
  scope: TokenScope;
  /** null: never expires. */
  expiresAt: Date | null;
}

export async function createToken(db: Db, userId: string, input: NewToken, now: Date): Promise<CreatedToken> {
  const token = `${TOKEN_PREFIX}${randomSecret()}`;
  const row = {
    id: randomUUID(),
    user_id: userId,
    name: input.name.trim(),
    token_hash: sha256Hex(token),
    created_at: now.toISOString(),
    last_used_at: null,
    expires_at: input.expiresAt?.toISOString() ?? null,
    scope: input.scope,
  };
  await db.insertInto('api_tokens').values(row).execute();
  return { ...toApiToken(row), token };
}

export async function listTokens(db: Db, userId: string): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toApiToken);
}

/** False when the user has no token with that id. */
export async function revokeToken(db: Db, userId: string, tokenId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('api_tokens')
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** A presented token: its id, scope and user, or why it is refused. */
export type FoundToken =
  | { status: 'valid'; tokenId: string; scope: TokenScope; user: User }
  | { status: 'expired' }
  | { status: 'unknown' };

export async function findToken(db: Db, token: string, now: Date): Promise<FoundToken> {
  if (!token.startsWith(TOKEN_PREFIX)) return { status: 'unknown' };
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as token_id',
      'api_tokens.last_used_at',
      'api_tokens.expires_at',
      'api_tokens.scope',
      ...USER_COLUMNS,
    ])
    .where('api_tokens.token_hash', '=', sha256Hex(token))
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) return { status: 'unknown' };
  if (row.expires_at !== null && row.expires_at <= now.toISOString()) return { status: 'expired' };
  const lastUsed = row.last_used_at === null ? 0 : Date.parse(row.last_used_at);
  if (now.getTime() - lastUsed >= LAST_USED_RESOLUTION_MS) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', row.token_id)
      .execute();
  }
  return { status: 'valid', tokenId: row.token_id, scope: row.scope, user: toUser(row) };
}
