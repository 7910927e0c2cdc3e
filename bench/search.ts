/**
 * Issue 17 benchmark: search over 100,000 assets of one owner (and 10,000 of another), on SQLite,
 * or on PostgreSQL with `SHOEBOX_BENCH_DIALECT=postgres` (a throwaway database on the server
 * `SHOEBOX_TEST_DATABASE_URL` names, dropped at the end). The library is seeded in bulk (500-row
 * INSERTs, 5,000 rows a transaction) with the columns the search index job fills; the indexes and
 * SQLite's triggers keep themselves up to date as in the app. Times, through fastify's inject
 * (routing, the session check, reading the query, the queries, serialising), the first page of:
 * - a text query: a word in 1 % of file names (looked up among places and cameras first, then
 *   found through the trigram index), and a word in every name (found by walking capture order);
 * - a date range (a spring: about 1,300 photos);
 * - a place (a city typed by name: about 200 photos);
 * each against the bare indexed SELECT of the same rows, run through the driver itself (a
 * prepared better-sqlite3 statement, or a named pg statement), alternating in the same process,
 * through the index the app's query uses (for a rare word, the trigram index joined in one
 * statement; for a word in every name, the walk down the timeline's index). Then the suggestions
 * endpoint over a list of prefixes. The figures are taken from a server started on the seeded
 * library, as after a restart (db/sqlite.ts: the planner's statistics are read at open). Prints p50
 * and p95 and the p95 ratios (target ≤ 2×; suggestions p95 < 20 ms) with the load average, which
 * on a shared machine moves every figure. Asserts only that both sides return the same rows.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { SearchResponse, SuggestionsResponse } from '../src/shared/search.ts';
import { normaliseKey } from '../src/shared/search-query.ts';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { openDatabase, type DatabaseHandle, type Dialect } from '../src/server/db/index.ts';
import { dropTestDatabase, ensureTestDatabase } from '../src/server/db/testing.ts';
import { ASSET_COLUMNS } from '../src/server/library/assets.ts';
import { searchSource } from '../src/server/search/index-job.ts';

const MAIN_ASSETS = 100_000;
const OTHER_ASSETS = 10_000;
const ROUNDS = 200;
const WARM_UP = 20;
const CITIES = 300;
const CAMERAS = 40;
const WORDS = ['beach', 'birthday', 'garden', 'hike', 'dinner', 'snow', 'museum', 'concert'];
const INSERT_ROWS = 500;
const TRANSACTION_ROWS = 5_000;

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

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const load = (): string =>
  os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');

export async function signUp(app: FastifyInstance, email: string): Promise<{ cookie: string; id: string }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/setup',
    payload: { email, name: 'Bench', password: 'bench password 1234' },
  });
  const cookie = response.headers['set-cookie'] ?? '';
  const first = (Array.isArray(cookie) ? cookie[0] : cookie) ?? '';
  return { cookie: first.split(';')[0] ?? '', id: response.json<{ id: string }>().id };
}

/** The bare SELECT, through the driver itself: `?` placeholders, numbered for PostgreSQL. */
export type Bare = (text: string, values: readonly unknown[]) => Promise<{ id: string }[]>;

export function bareSelect(
  handle: DatabaseHandle,
  file: string | null,
): { run: Bare; close: () => Promise<void> } {
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

export async function run(): Promise<void> {
  const dialect: Dialect = process.env.SHOEBOX_BENCH_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-bench-search-'));
  const location = await ensureTestDatabase(dialect, dataDir);
  try {
    const config = loadConfig({
      SHOEBOX_DATA_DIR: dataDir,
      SHOEBOX_STATIC_DIR: path.join(dataDir, 'none'),
      LOG_LEVEL: 'silent',
      ...(location.dialect === 'postgres' ? { DATABASE_URL: location.url } : {}),
    });
    // The accounts through a first server; the photos straight into its database; then the
    // server the figures are taken from, started on that library (as after a restart: its
    // connection reads the planner's statistics as it opens, see db/sqlite.ts).
    let app = await buildApp(config, { startJobs: false });
    const handle = await openDatabase(config.database);
    const { db } = handle;
    const bare = bareSelect(handle, location.dialect === 'sqlite' ? location.file : null);
    try {
      console.log(`${dialect}; load average at the start ${load()}`);
      const owner = await signUp(app, 'owner@example.com');
      const next = random(17);
      const source = searchSource();
      const places = Array.from({ length: CITIES }, (_, index) => {
        const city = `Town ${index.toString(36)}ville`;
        const region = `Region ${index % 40}`;
        const code = ['FR', 'IT', 'DE', 'ES', 'US', 'GB'][index % 6] ?? 'FR';
        return {
          id: `${code}/${region}/${city}`,
          country_code: code,
          country: code,
          region,
          city,
          country_key: normaliseKey(code),
          region_key: normaliseKey(region),
          city_key: normaliseKey(city),
        };
      });
      await db.insertInto('places').values(places).execute();
      const cameras = Array.from({ length: CAMERAS }, (_, index) => ({
        id: `Make${index % 8}/Model ${index}`,
        make: `Make${index % 8}`,
        model: `Model ${index}`,
        label: `Make${index % 8} Model ${index}`,
        key: normaliseKey(`Make${index % 8} Model ${index}`),
        make_key: normaliseKey(`Make${index % 8}`),
      }));
      await db.insertInto('cameras').values(cameras).execute();

      const start = Date.UTC(2005, 0, 1);
      const span = Date.UTC(2025, 0, 1) - start;
      const row = (ownerId: string, index: number) => {
        const word = next() < 0.01 ? `${WORDS[index % WORDS.length] ?? 'x'}-` : '';
        const filename = `IMG_${word}${String(index).padStart(6, '0')}.jpg`;
        const place = next() < 0.6 ? places[Math.floor(next() * CITIES)] : undefined;
        const camera = cameras[Math.floor(next() * CAMERAS)];
        const id = randomUUID();
        return {
          id,
          owner_id: ownerId,
          filename,
          mime_type: next() < 0.05 ? 'video/mp4' : 'image/jpeg',
          bytes: 2_000_000,
          sha256: id.replace(/-/g, '').padEnd(64, '0'),
          source_sha256: id.replace(/-/g, '').padEnd(64, '1'),
          captured_at: new Date(start + Math.floor(next() * span)).toISOString(),
          uploaded_at: new Date().toISOString(),
          blob_key: `bench/${id}`,
          width: 4000,
          height: 3000,
          thumb_state: 'pending' as const,
          place_id: place?.id ?? null,
          camera_id: camera?.id ?? null,
          name_key: normaliseKey(filename),
          capture_kind: null,
          search_source: source,
        };
      };
      const seed = async (ownerId: string, count: number): Promise<void> => {
        for (let done = 0; done < count; done += TRANSACTION_ROWS) {
          await db.transaction().execute(async (trx) => {
            const end = Math.min(count, done + TRANSACTION_ROWS);
            for (let at = done; at < end; at += INSERT_ROWS) {
              const rows = Array.from({ length: Math.min(INSERT_ROWS, end - at) }, (_, offset) =>
                row(ownerId, at + offset),
              );
              await trx.insertInto('assets').values(rows).execute();
            }
          });
        }
      };
      const seeding = performance.now();
      const other = await app.inject({
        method: 'POST',
        url: '/api/users',
        headers: { cookie: owner.cookie },
        payload: { email: 'other@example.com', name: 'Other', password: 'other password 1234' },
      });
      await app.close();
      await seed(owner.id, MAIN_ASSETS);
      await seed(other.json<{ id: string }>().id, OTHER_ASSETS);
      // PostgreSQL's autovacuum would get there by itself, later.
      if (handle.dialect === 'postgres') await handle.pool.query('analyze');
      app = await buildApp(config, { startJobs: false });
      console.log(
        `seeded ${(MAIN_ASSETS + OTHER_ASSETS).toLocaleString('en')} assets in ${((performance.now() - seeding) / 1000).toFixed(1)} s (load ${load()})`,
      );

      const columns = ASSET_COLUMNS.join(', ');
      const order = 'order by captured_at desc, id desc limit 101';
      const city = places[7];
      // A word in a few names: one statement through the trigram index (FTS5 on SQLite, joined
      // in that order; pg_trgm on PostgreSQL, whose planner takes it). A word in every name: the
      // walk down the timeline's index, which is the quickest way to its newest 100.
      const rareWord = (word: string) =>
        dialect === 'sqlite'
          ? {
              text: `select ${ASSET_COLUMNS.map((column) => `assets.${column}`).join(', ')} from asset_names
                cross join asset_name_rows on asset_name_rows.row = asset_names.rowid
                cross join assets on assets.id = asset_name_rows.asset_id
                where asset_names match ? and assets.owner_id = ? and assets.deleted_at is null
                order by assets.captured_at desc, assets.id desc limit 101`,
              values: [`"${word}"`, owner.id],
            }
          : {
              text: `select ${columns} from assets where owner_id = ? and deleted_at is null and name_key like ? ${order}`,
              values: [owner.id, `%${word}%`],
            };
      const commonWord = (word: string) => ({
        text: `select ${columns} from assets where owner_id = ? and deleted_at is null and name_key like ? ${order}`,
        values: [owner.id, `%${word}%`],
      });
      const cases: {
        name: string;
        url: string;
        bare: () => { text: string; values: readonly unknown[] };
      }[] = [
        {
          name: 'text, 1 % of names ("beach")',
          url: '/api/search?q=beach',
          bare: () => rareWord('beach'),
        },
        {
          name: 'text, every name ("img")',
          url: '/api/search?q=img',
          bare: () => commonWord('img'),
        },
        {
          name: 'date range (spring 2019)',
          url: `/api/search?q=${encodeURIComponent('spring 2019')}`,
          bare: () => ({
            text: `select ${columns} from assets where owner_id = ? and deleted_at is null and captured_at >= ? and captured_at < ? ${order}`,
            values: [owner.id, '2019-03-01', '2019-06-01'],
          }),
        },
        {
          name: `place (${city?.city ?? ''})`,
          url: `/api/search?q=${encodeURIComponent(city?.city ?? '')}`,
          bare: () => ({
            text: `select ${columns} from assets where owner_id = ? and deleted_at is null and place_id = ? ${order}`,
            values: [owner.id, city?.id ?? ''],
          }),
        },
      ];
      for (const item of cases) {
        const routeTimes: number[] = [];
        const bareTimes: number[] = [];
        let rows = 0;
        for (let round = 0; round < ROUNDS + WARM_UP; round++) {
          const started = performance.now();
          const response = await app.inject({
            method: 'GET',
            url: `${item.url}&limit=100`,
            headers: { cookie: owner.cookie },
          });
          const routeTime = performance.now() - started;
          const body = response.json<SearchResponse>();
          const query = item.bare();
          const bareStart = performance.now();
          const expected = await bare.run(query.text, query.values);
          const bareTime = performance.now() - bareStart;
          if (round === 0) {
            rows = body.items.length;
            const same = body.items.every((asset, index) => asset.id === expected[index]?.id);
            if (!same || body.items.length !== Math.min(100, expected.length))
              throw new Error(`${item.name}: the route and the bare SELECT found different rows`);
          }
          if (round >= WARM_UP) {
            routeTimes.push(routeTime);
            bareTimes.push(bareTime);
          }
        }
        routeTimes.sort((a, b) => a - b);
        bareTimes.sort((a, b) => a - b);
        console.log(
          `${item.name}: ${rows} rows; route p50 ${ms(percentile(routeTimes, 0.5))}, p95 ${ms(percentile(routeTimes, 0.95))}; bare SELECT p50 ${ms(percentile(bareTimes, 0.5))}, p95 ${ms(percentile(bareTimes, 0.95))}; p95 ratio ${(percentile(routeTimes, 0.95) / percentile(bareTimes, 0.95)).toFixed(2)}× (target ≤ 2×)`,
        );
      }

      const prefixes = [
        't',
        'to',
        'town 1',
        'reg',
        'make3',
        'mod',
        '20',
        '201',
        'spring 2019',
        'july',
        'vid',
        'img_b',
        'beach',
      ];
      const suggestTimes: number[] = [];
      const slowest = new Map<string, number>();
      for (let round = 0; round < 40; round++) {
        for (const prefix of prefixes) {
          const started = performance.now();
          const response = await app.inject({
            method: 'GET',
            url: `/api/search/suggestions?q=${encodeURIComponent(prefix)}`,
            headers: { cookie: owner.cookie },
          });
          const time = performance.now() - started;
          if (response.json<SuggestionsResponse>().suggestions.length > 8)
            throw new Error('Too many suggestions.');
          if (round >= 4) {
            suggestTimes.push(time);
            slowest.set(prefix, Math.max(time, slowest.get(prefix) ?? 0));
          }
        }
      }
      suggestTimes.sort((a, b) => a - b);
      const worst = [...slowest.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      console.log(
        `suggestions (${prefixes.length} prefixes): p50 ${ms(percentile(suggestTimes, 0.5))}, p95 ${ms(percentile(suggestTimes, 0.95))} (target < 20 ms); slowest ${worst.map(([prefix, time]) => `"${prefix}" ${ms(time)}`).join(', ')}`,
      );
      console.log(`load average at the end ${load()} (2 cores, shared with other work)`);
    } finally {
      await bare.close();
      await db.destroy();
      await app.close();
    }
  } finally {
    await dropTestDatabase(dialect, dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
