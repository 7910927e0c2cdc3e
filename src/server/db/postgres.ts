import pg from 'pg';
import { PostgresDialect } from 'kysely';

/** PostgreSQL's type ids (pg_type.oid) whose text form node-postgres would hand over as a string. */
const INT8_OID = 20;

/**
 * `bigint` columns (`assets.bytes`, `count(*)`) as numbers, as SQLite hands them over: node-postgres
 * gives them as strings because an int8 may exceed 2^53. Byte sizes and counts here stay far below
 * that (a 10 GB video is 2^34), and one beyond it is refused rather than silently rounded.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`The integer ${text} is too large to read exactly.`);
  return value;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresOptions {
  /** Connections kept open at most (node-postgres' default is 10). */
  maxConnections?: number;
  /**
   * A connection that fails (the server restarted, the network dropped) is reported here, idle
   * or in use; the pool replaces it on the next query. Without a listener node-postgres would end
   * the process.
   */
  onIdleError: (error: Error) => void;
}

/** The pool behind a PostgreSQL database: `pg` itself, for LISTEN and advisory locks on one session. */
export function postgresPool(url: string, options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max: options.maxConnections ?? 10,
    // Statements never wait this long in a healthy server; a stuck lock surfaces as an error.
    connectionTimeoutMillis: 30_000,
  });
  pool.on('error', options.onIdleError);
  // The pool listens only to its idle connections. One in use that breaks fails its query, and
  // then node-postgres emits the end of the connection as an error too (seen in a transaction
  // whose rollback failed as PostgreSQL stopped), which unheard would end the process.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      if (client.listenerCount('error') === 1) options.onIdleError(error);
    });
  });
  return pool;
}

/** Kysely's PostgreSQL dialect over `pool`. */
export function postgresDialect(pool: pg.Pool): PostgresDialect {
  return new PostgresDialect({ pool });
}
