import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Role, StorageUsage, User, UserSummary } from '../../shared/api';
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
    disabled_at: null,
  };
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every account with what it stores, oldest first (the owner's Users screen). */
export async function listUsers(db: Db): Promise<UserSummary[]> {
  const usage = db
    .selectFrom('assets')
    .select((eb) => [
      'owner_id',
      eb.fn.count(eb.case().when('deleted_at', 'is', null).then(1).end()).as('assets'),
      eb.fn.sum<number | string>('bytes').as('bytes'),
    ])
    .groupBy('owner_id')
    .as('usage');
  const rows = await db
    .selectFrom('users')
    .leftJoin(usage, 'usage.owner_id', 'users.id')
    .selectAll('users')
    .select(['usage.assets', 'usage.bytes'])
    .orderBy('users.created_at')
    .orderBy('users.id')
    .execute();
  return rows.map((row) => ({
    ...toUser(row),
    disabledAt: row.disabled_at,
    assets: Number(row.assets ?? 0),
    bytes: Number(row.bytes ?? 0),
  }));
}

/** What one account's photos and videos take, in the library and in the trash, against its quota. */
export async function storageOf(db: Db, userId: string): Promise<StorageUsage> {
  const user = await findUserById(db, userId);
  const rows = await db
    .selectFrom('assets')
    .select((eb) => [
      eb(eb.ref('deleted_at'), 'is', null).as('in_library'),
      eb.fn.countAll().as('count'),
      eb.fn.sum<number | string>('bytes').as('bytes'),
    ])
    .where('owner_id', '=', userId)
    .groupBy((eb) => eb(eb.ref('deleted_at'), 'is', null))
    .execute();
  const usage: StorageUsage = {
    usedBytes: 0,
    quotaBytes: user === undefined ? null : toUser(user).quotaBytes,
    assets: 0,
    bytes: 0,
    trashAssets: 0,
    trashBytes: 0,
  };
  for (const row of rows) {
    // SQLite answers 1/0, PostgreSQL true/false; PostgreSQL's count and sum are strings.
    if (Boolean(row.in_library)) {
      usage.assets = Number(row.count);
      usage.bytes = Number(row.bytes ?? 0);
    } else {
      usage.trashAssets = Number(row.count);
      usage.trashBytes = Number(row.bytes ?? 0);
    }
  }
  usage.usedBytes = usage.bytes + usage.trashBytes;
  return usage;
}

export async function setPassword(db: Db, userId: string, password: string): Promise<void> {
  const hash = await hashPassword(password);
  await db.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
}

/** Sets how many bytes an account may store (library and trash); null: no limit. */
export async function setQuota(db: Db, userId: string, quotaBytes: number | null): Promise<void> {
  await db.updateTable('users').set({ quota_bytes: quotaBytes }).where('id', '=', userId).execute();
}

/** Turns an account off (now) or on again (null); false when there is no such account. */
export async function setDisabled(db: Db, userId: string, disabledAt: Date | null): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ disabled_at: disabledAt === null ? null : disabledAt.toISOString() })
    .where('id', '=', userId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
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
