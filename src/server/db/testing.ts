/**
 * Databases for tests, on both dialects. SQLite needs nothing; PostgreSQL needs a server to create
 * throwaway databases in, named by `SHOEBOX_TEST_DATABASE_URL` (a URL whose user may CREATE
 * DATABASE; .ci/run starts a cluster and sets it). Each test database is made for one suite (or
 * one test) and dropped after it; its name carries the creating process's id, so that a run killed
 * half way leaves nothing a later run cannot recognise and drop (dropStaleTestDatabases).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseHandle, type DatabaseLocation, type Dialect } from './index';

export const TEST_DATABASE_URL_VARIABLE = 'SHOEBOX_TEST_DATABASE_URL';
/** Set per vitest project: the dialect the server suites of that project run on. */
export const TEST_DIALECT_VARIABLE = 'SHOEBOX_TEST_DIALECT';

const NAME_PREFIX = 'shoebox_test_';

/** The PostgreSQL server tests create their databases in, or null when none is configured. */
export function testPostgresUrl(): string | null {
  const url = process.env[TEST_DATABASE_URL_VARIABLE]?.trim() ?? '';
  return url === '' ? null : url;
}

/** The dialect this vitest project runs the server suites on (SQLite unless the project says). */
export function projectDialect(): Dialect {
  const value = process.env[TEST_DIALECT_VARIABLE] ?? 'sqlite';
  if (value !== 'sqlite' && value !== 'postgres') {
    throw new Error(`${TEST_DIALECT_VARIABLE} must be sqlite or postgres, not "${value}".`);
  }
  return value;
}

/**
 * The dialects a database test covers: SQLite, and PostgreSQL when a server is configured. Without
 * one the test reporter says loudly that PostgreSQL was not run (tests/support/summary-reporter.ts).
 */
export function testDialects(): Dialect[] {
  return testPostgresUrl() === null ? ['sqlite'] : ['sqlite', 'postgres'];
}

function requirePostgresUrl(): string {
  const url = testPostgresUrl();
  if (url === null) {
    throw new Error(
      `${TEST_DATABASE_URL_VARIABLE} is not set: PostgreSQL tests need a server to create their databases in (see README, "Tests and PostgreSQL").`,
    );
  }
  return url;
}

async function withAdmin<T>(task: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: requirePostgresUrl() });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

/** The test database that belongs to `dir` (a test's temporary directory) in this process. */
function databaseName(dir: string): string {
  const tag = createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16);
  return `${NAME_PREFIX}${process.pid}_${tag}`;
}

function urlOfDatabase(name: string): string {
  const url = new URL(requirePostgresUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Where the test database of `dir` lives: `dir`/shoebox.sqlite, or a PostgreSQL database named
 * after `dir`, the same on every call, so that a test can stop a server and start another on the
 * same data.
 */
export function testDatabaseLocation(dialect: Dialect, dir: string): DatabaseLocation {
  return dialect === 'sqlite'
    ? { dialect, file: path.join(dir, 'shoebox.sqlite') }
    : { dialect, url: urlOfDatabase(databaseName(dir)) };
}

/** Creates the PostgreSQL database of `dir` unless it exists (SQLite creates its file on opening). */
export async function ensureTestDatabase(dialect: Dialect, dir: string): Promise<DatabaseLocation> {
  const location = testDatabaseLocation(dialect, dir);
  if (dialect === 'postgres') {
    const name = databaseName(dir);
    await withAdmin(async (client) => {
      const found = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount === 0) await client.query(`create database "${name}"`);
    });
  }
  return location;
}

/** Drops the PostgreSQL database of `dir`, ending any session still in it (SQLite's goes with `dir`). */
export async function dropTestDatabase(dialect: Dialect, dir: string): Promise<void> {
  if (dialect !== 'postgres') return;
  await withAdmin(async (client) => {
    await client.query(`drop database if exists "${databaseName(dir)}" with (force)`);
  });
}

/**
 * Drops the test databases of processes that are gone (a run killed half way). Databases of a
 * live process, another test run beside this one, are left alone.
 */
export async function dropStaleTestDatabases(): Promise<string[]> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`${NAME_PREFIX}%`],
    );
    const dropped: string[] = [];
    for (const { datname } of rows) {
      const pid = Number(/^shoebox_test_(\d+)_/.exec(datname)?.[1]);
      if (Number.isSafeInteger(pid) && isAlive(pid)) continue;
      await client.query(`drop database if exists "${datname}" with (force)`);
      dropped.push(datname);
    }
    return dropped;
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh, migrated database for one test, and how to throw it away. */
export interface TestDatabase {
  handle: DatabaseHandle;
  location: DatabaseLocation;
  /** Closes it and deletes everything it held. */
  close(): Promise<void>;
}

export async function openTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-db-'));
  const location = await ensureTestDatabase(dialect, dir);
  const handle = await openDatabase(location);
  return {
    handle,
    location,
    close: async () => {
      await handle.db.destroy();
      await dropTestDatabase(dialect, dir);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
