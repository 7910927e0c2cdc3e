import SQLite from 'better-sqlite3';
import { SqliteDialect } from 'kysely';

/** Enough for every statement the server writes; `IN (?, ?, …)` lists of many lengths come and go. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely opens each transaction with a plain `begin`, which SQLite defers: the transaction reads
 * first and asks for the write lock at its first write. Another process (a worker beside the API,
 * `migrate`) that wrote in between makes that request fail at once (SQLITE_BUSY_SNAPSHOT), with
 * no wait for busy_timeout. Every transaction here writes, so each takes the write lock as it
 * begins, waiting its turn.
 */
const BEGIN = 'begin';
const BEGIN_IMMEDIATE = 'begin immediate';

/**
 * better-sqlite3 with each statement prepared once. Kysely's SQLite driver prepares the SQL of
 * every query it runs, which for the timeline's page cost about as much as reading the rows; the
 * cache keeps the statements by their SQL, as PostgreSQL drivers do with named statements. A
 * statement still iterating (a streamed query) is busy and cannot run twice at once, so such a
 * caller gets a fresh one. The oldest entry makes way when the cache is full. Transactions begin
 * immediate (BEGIN_IMMEDIATE).
 */
export function cachingStatements(sqlite: SQLite.Database): {
  close(): void;
  prepare(source: string): SQLite.Statement;
} {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SQLite.Statement {
      // "If the transaction has already been rolled back automatically by the error response,
      // then the ROLLBACK command will fail with an error" (sqlite.org/lang_transaction.html, on
      // SQLITE_FULL and SQLITE_IOERR). Kysely rolls back after any error in a transaction and
      // throws that failure instead of the first one, so a full disk answered 500, not 507
      // (issue 18, the fault suite). When SQLite already did, the rollback is a statement that
      // does nothing.
      if (sql === 'rollback' && !sqlite.inTransaction) return sqlite.prepare('select 1 where 0');
      const source = sql === BEGIN ? BEGIN_IMMEDIATE : sql;
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

/**
 * Kysely's SQLite dialect over the database file `file` (created if needed). WAL lets readers
 * run beside the writer; synchronous=FULL makes a commit durable before an upload is acknowledged
 * (DESIGN §5); busy_timeout waits for another connection's write (a `migrate` copy, a test's
 * reader) instead of failing at once; foreign keys are off by default in SQLite.
 */
export function sqliteDialect(file: string): SqliteDialect {
  return new SqliteDialect({
    database: () => {
      const sqlite = new SQLite(file);
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = FULL');
      sqlite.pragma('busy_timeout = 5000');
      sqlite.pragma('foreign_keys = ON');
      // The query planner's statistics, as SQLite advises for long-lived connections
      // (https://sqlite.org/lang_analyze.html#recommended_usage_pattern): without them it takes
      // the timeline's index for every filter and walks a whole library to find one city's photos.
      // ANALYZE where a table was never analysed or changed tenfold: at open, and after indexing
      // new photos (search/index-job.ts). A sampled ANALYZE (analysis_limit) misjudged how many
      // photos one owner has by a hundredfold, which misled the planner just the same.
      sqlite.pragma('optimize = 0x10002');
      return Promise.resolve(cachingStatements(sqlite));
    },
  });
}
