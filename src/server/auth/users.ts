import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Role, User } from '../../shared/api';
import type { Db } from '../db';
import type { UsersTable } from '../db/schema';
import { ApiError } from '../errors';
import { hashPassword } from './password';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  email: string;
  name: string;
  password: string;
  role: Role;
}

/** Emails compare case-insensitively: stored trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** The columns toUser reads, for queries that join users. */
export const USER_COLUMNS = [
  'users.id',
  'users.email',
  'users.name',
  'users.role',
  'users.created_at',
  'users.quota_bytes',
] as const;

export function toUser(
  row: Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'created_at' | 'quota_bytes'>,
): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    // PostgreSQL's driver hands a bigint over as a string.
    quotaBytes: row.quota_bytes === null ? null : Number(row.quota_bytes),
  };
}

async function newUserRow(input: NewUser, now: Date): Promise<UserRow> {
  return {
    id: randomUUID(),
    email: normalizeEmail(input.email),
    name: input.name.trim(),
    password_hash: await hashPassword(input.password, [input.email, input.name]),
    role: input.role,
    created_at: now.toISOString(),
    quota_bytes: null,
  };
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
}

export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toUser);
}

export async function hasAnyUser(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Adds an account; EMAIL_TAKEN when the email is in use. */
export async function createUser(db: Db, input: NewUser, now: Date): Promise<User> {
  const row = await newUserRow(input, now);
  const result = await db
    .insertInto('users')
    .values(row)
    .onConflict((conflict) => conflict.column('email').doNothing())
    .executeTakeFirst();
  if (result.numInsertedOrUpdatedRows === 0n) throw new ApiError('EMAIL_TAKEN');
  return toUser(row);
}

/**
 * Creates the first account, the owner, only while the server has none. The check and the insert
 * share one transaction: serializable on PostgreSQL; on SQLite the single connection already
 * serialises transactions, so two racing setups cannot both see an empty table.
 */
export async function createOwner(db: Db, input: Omit<NewUser, 'role'>, now: Date): Promise<User> {
  const row = await newUserRow({ ...input, role: 'owner' }, now);
  await db
    .transaction()
    .setIsolationLevel('serializable')
    .execute(async (trx) => {
      const existing = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
      if (existing !== undefined) throw new ApiError('SETUP_ALREADY_DONE');
      await trx.insertInto('users').values(row).execute();
    });
  return toUser(row);
}
