/**
 * The timeline's query written by hand, as the library bench's baseline (bench/library-server.ts):
 * a prepared statement on the database's own driver, better-sqlite3 or pg, on the same index,
 * columns and LIMIT as the route's. On SQLite the call is synchronous, in this process; on
 * PostgreSQL a named prepared statement over one connection, whose server does the work.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DatabaseLocation } from '../src/server/db/index.ts';
import { ASSET_COLUMNS } from '../src/server/library/assets.ts';

export interface BareQueries {
  /** The first page: `limit` rows of `ownerId`'s timeline. */
  first(ownerId: string, limit: number): unknown;
  /** A page after (key, id). */
  deep(ownerId: string, key: string, id: string, limit: number): unknown;
  /** The deep page's query plan, in words. */
  plan(ownerId: string, key: string, id: string, limit: number): Promise<string>;
  /** Assets per day, as /api/assets/buckets counts them. */
  buckets(ownerId: string): unknown;
  close(): Promise<void>;
}

const columns = ASSET_COLUMNS.join(', ');
const FIRST = `SELECT ${columns} FROM assets WHERE owner_id = $1 AND deleted_at IS NULL
  ORDER BY captured_at DESC, id DESC LIMIT $2`;
const DEEP = `SELECT ${columns} FROM assets WHERE owner_id = $1 AND deleted_at IS NULL
  AND (captured_at, id) < ($2, $3) ORDER BY captured_at DESC, id DESC LIMIT $4`;
const BUCKETS = `SELECT substr(captured_at, 1, 10) AS day, count(*) AS count FROM assets
  WHERE owner_id = $1 AND deleted_at IS NULL GROUP BY day ORDER BY day DESC`;

/** SQLite numbers its parameters `?NNN`, PostgreSQL `$N`. */
const sqlite = (text: string): string => text.replace(/\$(\d)/g, '?$1');

export async function bareQueries(location: DatabaseLocation): Promise<BareQueries> {
  if (location.dialect === 'sqlite') {
    const db = new Database(location.file, { readonly: true });
    const [first, deep, buckets] = [FIRST, DEEP, BUCKETS].map((text) => db.prepare(sqlite(text)));
    if (first === undefined || deep === undefined || buckets === undefined) throw new Error('no statement');
    return {
      first: (ownerId, limit) => first.all(ownerId, limit),
      deep: (ownerId, key, id, limit) => deep.all(ownerId, key, id, limit),
      plan: (ownerId, key, id, limit) =>
        Promise.resolve(
          (
            db.prepare(`EXPLAIN QUERY PLAN ${sqlite(DEEP)}`).all(ownerId, key, id, limit) as {
              detail: string;
            }[]
          )
            .map((row) => row.detail)
            .join('; '),
        ),
      buckets: (ownerId) => buckets.all(ownerId),
      close: () => {
        db.close();
        return Promise.resolve();
      },
    };
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  const rows = async (name: string, text: string, values: unknown[]): Promise<unknown[]> =>
    (await client.query({ name, text, values })).rows;
  return {
    first: (ownerId, limit) => rows('first', FIRST, [ownerId, limit]),
    deep: (ownerId, key, id, limit) => rows('deep', DEEP, [ownerId, key, id, limit]),
    plan: async (ownerId, key, id, limit) =>
      (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${DEEP}`, [ownerId, key, id, limit])).rows
        .map((row) => row['QUERY PLAN'].trim())
        .join('; '),
    buckets: (ownerId) => rows('buckets', BUCKETS, [ownerId]),
    close: () => client.end(),
  };
}
