/**
 * Helpers for server tests: a real app (its own database, blob store) in a fresh temp dir
 * listening on a random port, and (from tests/support/client.ts) accounts and a small fetch-based
 * tus client that exposes every response. The database is SQLite in the temp dir, or a throwaway
 * PostgreSQL database in the vitest project that runs the suites on PostgreSQL
 * (SHOEBOX_TEST_DIALECT, vitest.config.ts).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/server/app';
import { loadConfig, type Config, type Env } from '../../src/server/config';
import {
  connectDatabase,
  openDatabase,
  type DatabaseHandle,
  type DatabaseLocation,
} from '../../src/server/db';
import { dropTestDatabase, ensureTestDatabase, projectDialect } from '../../src/server/db/testing';

export { CORPUS_DIR, REPO_ROOT, corpusFile, manifest, type ManifestRow } from '../support/corpus';
export * from '../support/client';

/** The dialect this project's server suites run on. */
export const DIALECT = projectDialect();

export async function makeTempDir(prefix = 'shoebox-server-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Every file under `dir` (relative paths), or [] when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export interface TestServer {
  app: FastifyInstance;
  config: Config;
  baseUrl: string;
  dataDir: string;
  /** Stops the server and deletes its data. */
  close: () => Promise<void>;
  /** Stops the server and keeps its data, for another `startServer({ dataDir })`. */
  stop: () => Promise<void>;
}

export interface StartOptions {
  /** Extra environment, as `loadConfig` reads it (limits, static dir…). */
  env?: Env;
  app?: AppOptions;
  /** Start on the data (files and database) of a stopped server instead of a new temp dir. */
  dataDir?: string;
}

/** The environment that points a server at the test database of `dataDir`. */
function databaseEnv(location: DatabaseLocation): Env {
  return location.dialect === 'postgres' ? { DATABASE_URL: location.url } : {};
}

/**
 * The real app on 127.0.0.1 and a random port, with its data in a new temp dir and its database
 * on this project's dialect. Without SHOEBOX_STATIC_DIR in `env` there is no built app: API only.
 * Set SHOEBOX_TEST_LOG_LEVEL to see logs.
 */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeTempDir());
  const location = await ensureTestDatabase(DIALECT, dataDir);
  const config = loadConfig({
    SHOEBOX_DATA_DIR: dataDir,
    SHOEBOX_STATIC_DIR: path.join(dataDir, 'no-app'),
    LOG_LEVEL: process.env.SHOEBOX_TEST_LOG_LEVEL ?? 'silent',
    ...databaseEnv(location),
    ...options.env,
  });
  const app = await buildApp(config, options.app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('The server is not on a TCP port.');
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${address.port}`,
    dataDir,
    close: async () => {
      await app.close();
      await dropTestDatabase(DIALECT, dataDir);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
    stop: async () => {
      await app.close();
    },
  };
}

/**
 * The database of a test server's data, running or stopped (a second connection beside the
 * server's), migrated unless `migrate` is false. Destroy it when done.
 */
export async function openServerDatabase(
  dataDir: string,
  options: { migrate?: boolean } = {},
): Promise<DatabaseHandle> {
  const location = await ensureTestDatabase(DIALECT, dataDir);
  return options.migrate === false ? connectDatabase(location) : openDatabase(location);
}

/** Runs `task` on the database of a test server's data, then closes it. */
export async function withServerDatabase<T>(
  dataDir: string,
  task: (db: DatabaseHandle['db']) => Promise<T>,
): Promise<T> {
  const { db } = await openServerDatabase(dataDir);
  try {
    return await task(db);
  } finally {
    await db.destroy();
  }
}

/** Resolves once the server's background jobs (thumbnails) have nothing left to do now. */
export async function jobsIdle(server: TestServer): Promise<void> {
  await server.app.jobs.idle();
}
