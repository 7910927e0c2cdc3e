/**
 * Moving an installation up (issue 14, `npm run migrate -- --to postgres://…`): every row of the
 * SQLite database is copied into PostgreSQL, table by table in the order their foreign keys need,
 * and every original in the blob store is read back and checked against the SHA-256 its key
 * names. The originals and thumbnails stay in the data directory, which the PostgreSQL
 * installation keeps using, or with `--s3` are copied into the object store and read back.
 *
 * Resumable: each batch is inserted with ON CONFLICT DO NOTHING, so a run interrupted at any
 * point (a lost connection, Ctrl-C) is finished by running it again, which adds only the rows
 * still missing. The SQLite side is only read. Stop the server before moving, so that nothing
 * changes underneath; a job the old server left running is taken back once its lease runs out.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql, type Kysely } from 'kysely';
import type { BlobStore } from '../storage/blob-store';
import type { FsBlobStore } from '../storage/fs-blob-store';
import { openDatabase, type DatabaseLocation } from './index';

/** Rows per INSERT: well inside PostgreSQL's 65,535 parameters for the widest table. */
const BATCH_ROWS = 500;

/** Kysely's own bookkeeping: each side keeps its own. */
const SKIPPED_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

type AnyRow = Record<string, unknown>;
/** Tables by name, as both databases hold them, whatever the schema adds later. */
type AnyDb = Kysely<Record<string, AnyRow>>;

export interface MoveProgress {
  (
    event:
      | { kind: 'table'; table: string; rows: number; added: number }
      | { kind: 'skipped'; table: string }
      | { kind: 'blobs'; checked: number; total: number }
      | { kind: 'thumbs'; copied: number; total: number }
      | { kind: 'corrupt'; key: string; actual: string },
  ): void;
}

export interface MoveReport {
  tables: { table: string; rows: number; added: number }[];
  blobsChecked: number;
  /** Objects this run put into the object store (originals and thumbnails; none when resumed). */
  objectsCopied: number;
  /** Originals whose bytes do not hash to their key: listed, never silently carried over. */
  corrupt: { key: string; actual: string }[];
}

export interface MoveOptions {
  /** The installation's SQLite database. */
  from: DatabaseLocation & { dialect: 'sqlite' };
  /** An empty PostgreSQL database, or one a run was interrupted in. */
  to: DatabaseLocation & { dialect: 'postgres' };
  /** The installation's originals, checked against their keys. */
  blobs: BlobStore;
  /**
   * `--s3`: the object store the originals and thumbnails are copied into (each read back and
   * checked), from the data directory's folders; `scratchDir` holds each copy on its way.
   */
  copyTo?: { originals: BlobStore; thumbs: BlobStore; thumbsFrom: FsBlobStore; scratchDir: string };
  progress?: MoveProgress;
}

/** The user tables of the SQLite database, each after the tables its foreign keys point at. */
async function tablesInOrder(db: AnyDb): Promise<string[]> {
  const tables = (await db.introspection.getTables())
    .map((table) => table.name)
    .filter((name) => !SKIPPED_TABLES.has(name) && !name.startsWith('sqlite_'));
  const needs = new Map<string, string[]>();
  for (const table of tables) {
    const { rows } = await sql<{
      table: string;
    }>`select "table" from pragma_foreign_key_list(${table})`.execute(db);
    needs.set(
      table,
      rows.map((row) => row.table).filter((other) => other !== table),
    );
  }
  const ordered: string[] = [];
  const visit = (table: string, path: string[]): void => {
    if (ordered.includes(table)) return;
    if (path.includes(table)) throw new Error(`Foreign keys form a cycle: ${[...path, table].join(' → ')}.`);
    for (const other of needs.get(table) ?? []) visit(other, [...path, table]);
    ordered.push(table);
  };
  for (const table of [...tables].sort()) visit(table, []);
  return ordered;
}

/** Copies one table in batches of rows, in SQLite's rowid order; returns its rows and those added. */
async function copyTable(
  from: AnyDb,
  to: AnyDb,
  table: string,
  columns: ReadonlySet<string>,
): Promise<{ rows: number; added: number }> {
  let after = Number.MIN_SAFE_INTEGER;
  let rows = 0;
  let added = 0;
  for (;;) {
    // The rowid pages through the table without an ORDER BY on its key: one index walk.
    const batch = await sql<AnyRow & { shoebox_rowid: number }>`
      select rowid as shoebox_rowid, * from ${sql.table(table)}
      where rowid > ${after} order by rowid limit ${BATCH_ROWS}
    `.execute(from);
    if (batch.rows.length === 0) return { rows, added };
    const values = batch.rows.map((row) => {
      const value: AnyRow = {};
      for (const [column, cell] of Object.entries(row)) if (columns.has(column)) value[column] = cell;
      return value;
    });
    const result = await to
      .insertInto(table)
      .values(values)
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    rows += values.length;
    added += Number(result.numInsertedOrUpdatedRows ?? 0n);
    after = batch.rows[batch.rows.length - 1]?.shoebox_rowid ?? after;
  }
}

/** The keys of the files under `root` (a filesystem store's folder), or none when it is missing. */
async function listKeys(root: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function sha256Of(store: BlobStore, key: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await store.createReadStream(key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Puts `key` from `from` into `to` unless `to` holds it with the same size already (a run cut
 * short after storing it); then reads it back and checks it hashes to `sha256`. True if it was put.
 */
async function copyObject(
  from: BlobStore,
  to: BlobStore,
  key: string,
  sha256: string,
  scratchDir: string,
): Promise<boolean> {
  const [source, stored] = await Promise.all([from.stat(key), to.stat(key)]);
  let put = false;
  if (stored === null || stored.size !== source?.size) {
    // putFile takes a file it may move away: a copy, never the original itself.
    const copy = path.join(scratchDir, `move-${randomUUID()}`);
    try {
      await pipeline(await from.createReadStream(key), createWriteStream(copy));
      await to.putFile(key, copy);
    } finally {
      await fs.rm(copy, { force: true });
    }
    put = true;
  }
  const actual = await sha256Of(to, key);
  if (actual !== sha256)
    throw new Error(`${key} reads back from the object store as ${actual}, not ${sha256}.`);
  return put;
}

/** Copies the database and checks every original; see the module's comment. */
export async function moveInstallation(options: MoveOptions): Promise<MoveReport> {
  const progress = options.progress ?? (() => undefined);
  const source = await openDatabase(options.from);
  try {
    const target = await openDatabase(options.to, { maxConnections: 2 });
    try {
      const from = source.db as unknown as AnyDb;
      const to = target.db as unknown as AnyDb;
      const targetColumns = new Map(
        (await to.introspection.getTables()).map((table) => [
          table.name,
          new Set(table.columns.map((column) => column.name)),
        ]),
      );
      const report: MoveReport = { tables: [], blobsChecked: 0, objectsCopied: 0, corrupt: [] };
      const { copyTo } = options;
      for (const table of await tablesInOrder(from)) {
        const columns = targetColumns.get(table);
        // Both sides ran the same migrations: a table only SQLite has is one of its own search
        // indexes (FTS5), which PostgreSQL keeps its own way (pg_trgm) from the copied rows.
        if (columns === undefined) {
          progress({ kind: 'skipped', table });
          continue;
        }
        const copied = await copyTable(from, to, table, columns);
        report.tables.push({ table, ...copied });
        progress({ kind: 'table', table, ...copied });
      }

      const keys = (
        await source.db
          .selectFrom('assets')
          .select(['blob_key', 'sha256'])
          .distinct()
          .orderBy('blob_key')
          .execute()
      ).map((row) => ({ key: row.blob_key, sha256: row.sha256 }));
      for (const { key, sha256 } of keys) {
        const actual = await sha256Of(options.blobs, key);
        if (actual !== sha256) {
          report.corrupt.push({ key, actual });
          progress({ kind: 'corrupt', key, actual });
        } else if (copyTo !== undefined) {
          if (await copyObject(options.blobs, copyTo.originals, key, sha256, copyTo.scratchDir)) {
            report.objectsCopied += 1;
          }
        }
        report.blobsChecked += 1;
        if (report.blobsChecked % 100 === 0 || report.blobsChecked === keys.length) {
          progress({ kind: 'blobs', checked: report.blobsChecked, total: keys.length });
        }
      }
      if (copyTo !== undefined) {
        // Thumbnails are named by a hash of their bytes (thumbKeyFor): each is checked against
        // the bytes it was copied from.
        const keys = await listKeys(copyTo.thumbsFrom.root);
        let done = 0;
        for (const key of keys) {
          const sha256 = await sha256Of(copyTo.thumbsFrom, key);
          if (await copyObject(copyTo.thumbsFrom, copyTo.thumbs, key, sha256, copyTo.scratchDir)) {
            report.objectsCopied += 1;
          }
          done += 1;
          if (done % 100 === 0 || done === keys.length)
            progress({ kind: 'thumbs', copied: done, total: keys.length });
        }
      }
      return report;
    } finally {
      await target.db.destroy();
    }
  } finally {
    await source.db.destroy();
  }
}
