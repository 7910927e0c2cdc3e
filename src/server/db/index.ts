import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SelectQueryNode, SqliteDialect, type CompiledQuery } from 'kysely';
import type { Database } from './schema';
import { migrationProvider } from './migrations';

export type Db = Kysely<Database>;

/** Enough for every statement the server writes; `IN (?, ?, …)` lists of many lengths come and go. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 with each statement prepared once. Kysely's SQLite driver prepares the SQL of
 * every query it runs, which for the timeline's page cost about as much as reading the rows; the
 * cache keeps the statements by their SQL, as PostgreSQL drivers do with named statements. A
 * statement still iterating (a streamed query) is busy and cannot run twice at once, so such a
 * caller gets a fresh one. The oldest entry makes way when the cache is full.
 */
export function cachingStatements(sqlite: SQLite.Database): {
  close(): void;
  prepare(source: string): SQLite.Statement;
} {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(source: string): SQLite.Statement {
      const cached = statements.get(source);
      if (cached !== undefined && !cached.busy) return cached;
      const statement = sqlite.prepare(source);
      if (cached === undefined) {
        if (statements.size >= STATEMENT_CACHE_SIZE) {
          const oldest = statements.keys().next();
          if (oldest.done !== true) statements.delete(oldest.value);
        }
        statements.set(source, statement);
      }
      return statement;
    },
  };
}

/** The SQLite connection behind a Db that openDatabase made, for readNow. */
interface Direct {
  sqlite: SQLite.Database;
  prepare(source: string): SQLite.Statement;
}

const directs = new WeakMap<Db, Direct>();

/**
 * better-sqlite3 throws this TypeError when a statement runs while another one is still being
 * iterated (a streamed query): the caller then takes Kysely's way, which waits its turn.
 */
function isBusyConnection(error: unknown): boolean {
  return error instanceof TypeError && /busy/i.test(error.message);
}

/**
 * The rows of a compiled SELECT, read at once on the connection and its cached statement, or
 * undefined when the query must go through Kysely (`db.executeQuery`). Kysely's executor takes
 * the connection through two mutexes and several promise turns, which in a busy server cost as
 * much as a hundred rows of the timeline; SQLite itself answers synchronously. The SQL and its
 * parameters are Kysely's, unchanged. Only a plain read may skip Kysely's queue, and only while no
 * transaction is open on the connection: inside another caller's transaction it would see that
 * caller's uncommitted writes.
 */
export function readNow<Row>(db: Db, query: CompiledQuery<Row>): Row[] | undefined {
  const direct = directs.get(db);
  if (direct === undefined || direct.sqlite.inTransaction || !SelectQueryNode.is(query.query))
    return undefined;
  try {
    return direct.prepare(query.sql).all(query.parameters) as Row[];
  } catch (error) {
    if (isBusyConnection(error)) return undefined;
    throw error;
  }
}

/**
 * readNow for a SELECT of one column: that column of each row, without an object per row (for a
 * page of 100 rows, about as long as SQLite's reading of them).
 */
export function readColumnNow<Row>(db: Db, query: CompiledQuery<Row>): Row[keyof Row][] | undefined {
  const direct = directs.get(db);
  if (direct === undefined || direct.sqlite.inTransaction || !SelectQueryNode.is(query.query))
    return undefined;
  try {
    const statement = direct.prepare(query.sql);
    // The statement is cached and shared: it answers rows again once this read is done.
    statement.pluck(true);
    try {
      return statement.all(query.parameters) as Row[keyof Row][];
    } finally {
      statement.pluck(false);
    }
  } catch (error) {
    if (isBusyConnection(error)) return undefined;
    throw error;
  }
}

/**
 * Opens (creating if needed) the SQLite database at `file` and brings its schema up to date.
 * WAL lets readers run beside the writer; synchronous=FULL makes a commit durable before we
 * acknowledge an upload (DESIGN §5); foreign keys are off by default in SQLite.
 */
export async function openDatabase(file: string): Promise<Db> {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const statements = cachingStatements(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  directs.set(db, {
    sqlite,
    prepare: (source) => statements.prepare(source),
  });
  try {
    await migrate(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error('Database migration failed.', { cause: error });
  }
}

export type { Database } from './schema';
