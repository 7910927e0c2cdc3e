import type pg from 'pg';
import { Kysely, Migrator, PostgresAdapter } from 'kysely';
import type { Database } from './schema';
import { migrationProvider } from './migrations';
import { postgresDialect, postgresPool } from './postgres';
import { sqliteDialect } from './sqlite';

export type Db = Kysely<Database>;

/** Where the database is: `DATABASE_URL` (config.ts), or the SQLite file in the data directory. */
export type DatabaseLocation = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

export type Dialect = DatabaseLocation['dialect'];

/**
 * An open database. Every query goes through `db` (Kysely), the same for both dialects; the
 * PostgreSQL pool is there for what needs one session of its own (LISTEN, advisory locks).
 */
export type DatabaseHandle = { dialect: 'sqlite'; db: Db } | { dialect: 'postgres'; db: Db; pool: pg.Pool };

export interface OpenOptions {
  /** Reports a PostgreSQL connection that failed while idle (it is replaced on the next query). */
  onIdleError?: (error: Error) => void;
  /** PostgreSQL connections kept open at most. */
  maxConnections?: number;
}

/** The database at `location`, as it is: no migration (openDatabase migrates). */
export function connectDatabase(location: DatabaseLocation, options: OpenOptions = {}): DatabaseHandle {
  switch (location.dialect) {
    case 'sqlite':
      return { dialect: 'sqlite', db: new Kysely<Database>({ dialect: sqliteDialect(location.file) }) };
    case 'postgres': {
      const pool = postgresPool(location.url, {
        maxConnections: options.maxConnections,
        onIdleError:
          options.onIdleError ??
          ((error) => process.emitWarning(`An idle PostgreSQL connection failed: ${error.message}`)),
      });
      return { dialect: 'postgres', db: new Kysely<Database>({ dialect: postgresDialect(pool) }), pool };
    }
  }
}

/**
 * Opens (creating the SQLite file if needed) the database and brings its schema up to date: the
 * same migrations for both dialects (migrations.ts).
 */
export async function openDatabase(
  location: DatabaseLocation,
  options: OpenOptions = {},
): Promise<DatabaseHandle> {
  const handle = connectDatabase(location, options);
  try {
    await migrate(handle.db);
  } catch (error) {
    await handle.db.destroy();
    throw error;
  }
  return handle;
}

/** The dialect behind a database or transaction, for the few statements written once per dialect. */
export function dialectOf(db: Kysely<Database>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error('Database migration failed.', { cause: error });
  }
}

export type { Database } from './schema';
