/**
 * What the benchmarks of a server over a large seeded library share (search, albums): a throwaway
 * data folder and database of one dialect (a database on the server `SHOEBOX_TEST_DATABASE_URL`
 * names for PostgreSQL, dropped at the end), a first server to make the accounts through the API,
 * a connection of the bench's own to seed the photos in bulk (INSERT_ROWS rows a statement,
 * TRANSACTION_ROWS a transaction), the bare SELECT through the driver itself, and the server the
 * figures are taken from, started again on the seeded library as after a restart. Also the small
 * helpers their figures share: a seeded generator, percentiles, the load average.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql, type Transaction } from 'kysely';
import { buildApp } from '../src/server/app.ts';
import { loadConfig, type Config } from '../src/server/config.ts';
import { openDatabase, type DatabaseHandle, type Db, type Dialect } from '../src/server/db/index.ts';
import type { Database as Schema } from '../src/server/db/schema.ts';
import { dropTestDatabase, ensureTestDatabase } from '../src/server/db/testing.ts';

export const INSERT_ROWS = 500;
export const TRANSACTION_ROWS = 5_000;

/** A small deterministic generator, so that runs are comparable. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** The load average, which on a shared machine moves every figure. */
export const load = (): string =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** The first account of a fresh server (its owner), signed in. */
export async function signUp(app: FastifyInstance, email: string): Promise<{ cookie: string; id: string }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/setup',
    payload: { email, name: 'Bench', password: 'bench password 1234' },
  });
  if (response.statusCode !== 201) throw new Error(`setup: ${response.statusCode} ${response.body}`);
  const cookie = response.headers['set-cookie'] ?? '';
  const first = (Array.isArray(cookie) ? cookie[0] : cookie) ?? '';
  return { cookie: first.split(';')[0] ?? '', id: response.json<{ id: string }>().id };
}

/** The bare SELECT, through the driver itself: `?` placeholders, numbered for PostgreSQL. */
export type Bare = (text: string, values: readonly unknown[]) => Promise<{ id: string }[]>;

/** A prepared better-sqlite3 statement (read-only connection), or a named pg statement, per SQL text. */
function bareSelect(handle: DatabaseHandle, file: string | null): { run: Bare; close: () => Promise<void> } {
  if (handle.dialect === 'postgres') {
    const names = new Map<string, string>();
    return {
      run: async (text, values) => {
        let at = 0;
        const numbered = text.replace(/\?/g, () => `$${++at}`);
        let name = names.get(numbered);
        if (name === undefined) {
          name = `bench_${names.size}`;
          names.set(numbered, name);
        }
        return (await handle.pool.query<{ id: string }>({ name, text: numbered, values: [...values] })).rows;
      },
      close: () => Promise.resolve(),
    };
  }
  const sqlite = new Database(file ?? '', { readonly: true });
  const statements = new Map<string, Database.Statement>();
  return {
    run: (text, values) => {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = sqlite.prepare(text);
        statements.set(text, statement);
      }
      return Promise.resolve(statement.all(...values) as { id: string }[]);
    },
    close: () => {
      sqlite.close();
      return Promise.resolve();
    },
  };
}

export interface SeededServer {
  dialect: Dialect;
  config: Config;
  /** The bench's own connection, for seeding. */
  db: Db;
  bare: Bare;
  /** The server: the first one until `restart`, then the one the figures are taken from. */
  app: () => FastifyInstance;
  /**
   * Inserts `count` rows in bulk: `write(trx, from, to)` writes rows [from, to), at most
   * INSERT_ROWS of them, inside transactions of TRANSACTION_ROWS.
   */
  seed: (
    count: number,
    write: (trx: Transaction<Schema>, from: number, to: number) => Promise<void>,
  ) => Promise<void>;
  /**
   * Closes the first server, gathers the planner's statistics (ANALYZE: what SQLite's connection
   * does for a table never analysed as it opens, see db/sqlite.ts, and PostgreSQL's autovacuum a
   * little later) and starts the server the figures come from on the seeded library.
   */
  restart: () => Promise<FastifyInstance>;
}

/** Runs `body` against a server on a throwaway database of `dialect`, and removes it all after. */
export async function withSeededServer(
  name: string,
  dialect: Dialect,
  body: (server: SeededServer) => Promise<void>,
): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `shoebox-bench-${name}-`));
  const location = await ensureTestDatabase(dialect, dataDir);
  try {
    const config = loadConfig({
      SHOEBOX_DATA_DIR: dataDir,
      SHOEBOX_STATIC_DIR: path.join(dataDir, 'none'),
      LOG_LEVEL: 'silent',
      ...(location.dialect === 'postgres' ? { DATABASE_URL: location.url } : {}),
    });
    let app = await buildApp(config, { startJobs: false });
    let open = true;
    const handle = await openDatabase(config.database);
    const { db } = handle;
    const bare = bareSelect(handle, location.dialect === 'sqlite' ? location.file : null);
    try {
      await body({
        dialect,
        config,
        db,
        bare: bare.run,
        app: () => app,
        seed: async (count, write) => {
          for (let done = 0; done < count; done += TRANSACTION_ROWS) {
            const end = Math.min(count, done + TRANSACTION_ROWS);
            await db.transaction().execute(async (trx) => {
              for (let at = done; at < end; at += INSERT_ROWS)
                await write(trx, at, Math.min(end, at + INSERT_ROWS));
            });
          }
        },
        restart: async () => {
          if (open) await app.close();
          open = false;
          await sql`analyze`.execute(db);
          app = await buildApp(config, { startJobs: false });
          open = true;
          return app;
        },
      });
    } finally {
      await bare.close();
      await db.destroy();
      if (open) await app.close();
    }
  } finally {
    await dropTestDatabase(dialect, dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

const ms = (value: number): string => `${value.toFixed(3)} ms`;

/** The server time of each app's last response (fastify's `reply.elapsedTime`, read in onResponse). */
const lastServerTime = new WeakMap<FastifyInstance, { time: number }>();

function serverTimeOf(app: FastifyInstance): { time: number } {
  let last = lastServerTime.get(app);
  if (last === undefined) {
    const slot = { time: Number.NaN };
    app.addHook('onResponse', (_request, reply, done) => {
      slot.time = reply.elapsedTime;
      done();
    });
    lastServerTime.set(app, slot);
    last = slot;
  }
  return last;
}

/**
 * Times `request` (a route through inject) in turns with `select` (its bare SELECT), `warmUp`
 * rounds and then `rounds` measured: the route's server time (routing to the response sent),
 * inject's whole round, and the SELECT. `check` sees the first round's answers (and throws when
 * they differ). Prints p50 and p95 of each and the ratios of the server time to the SELECT.
 */
export async function timeAgainstBare(
  app: FastifyInstance,
  name: string,
  options: {
    rounds: number;
    warmUp: number;
    target: number;
    request: () => Promise<LightMyRequestResponse>;
    select: () => Promise<{ id: string }[]>;
    check: (response: LightMyRequestResponse, rows: { id: string }[]) => void;
  },
): Promise<void> {
  const last = serverTimeOf(app);
  const server: number[] = [];
  const inject: number[] = [];
  const select: number[] = [];
  for (let round = 0; round < options.rounds + options.warmUp; round++) {
    last.time = Number.NaN;
    const started = performance.now();
    const response = await options.request();
    const injected = performance.now() - started;
    const serverTime = last.time;
    const selectStart = performance.now();
    const rows = await options.select();
    const selected = performance.now() - selectStart;
    if (round === 0) options.check(response, rows);
    if (round >= options.warmUp) {
      server.push(serverTime);
      inject.push(injected);
      select.push(selected);
    }
  }
  for (const times of [server, inject, select]) times.sort((a, b) => a - b);
  const figures = (times: number[]) =>
    `p50 ${ms(percentile(times, 0.5))}, p95 ${ms(percentile(times, 0.95))}`;
  const ratio = (p: number) => (percentile(server, p) / percentile(select, p)).toFixed(2);
  console.log(`${name}:`);
  console.log(`  route, server time (routing to response sent)  ${figures(server)}`);
  console.log(`  route, inject round                            ${figures(inject)}`);
  console.log(`  bare indexed SELECT (driver)                   ${figures(select)}`);
  console.log(
    `  route's server time / bare SELECT: p50 ${ratio(0.5)}×, p95 ${ratio(0.95)}× (target ≤ ${options.target}×)`,
  );
}
