/**
 * Issue 17 benchmark: search over 100,000 assets of one owner (and 10,000 of another) in SQLite,
 * seeded through the app's own Kysely database with the columns the search index job fills
 * (places, cameras, names). Times, through fastify's inject (routing, the session check,
 * reading the query, the queries, serialising), the first page of:
 * - a text query (a word in 1 % of file names, typed as a user would: looked up among places and
 *   cameras first, then matched in names),
 * - a date range (a spring: about 1,300 photos),
 * - a place (a city typed by name: about 350 photos),
 * each against the bare indexed SELECT of the same rows (a prepared better-sqlite3 statement with
 * the same columns and LIMIT, rows as objects) measured in turns in the same process; and the
 * suggestions endpoint for a few prefixes. Prints p50 and p95 and the ratios of the p95s
 * (target ≤ 2×; suggestions p95 < 20 ms). Asserts only that both sides return the same rows.
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
import { openDatabase } from '../src/server/db/index.ts';
import { ASSET_COLUMNS } from '../src/server/library/assets.ts';
import { searchSource } from '../src/server/search/index-job.ts';

const MAIN_ASSETS = 100_000;
const OTHER_ASSETS = 10_000;
const ROUNDS = 200;
const CITIES = 300;
const CAMERAS = 40;
const WORDS = ['beach', 'birthday', 'garden', 'hike', 'dinner', 'snow', 'museum', 'concert'];

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;

async function signUp(app: FastifyInstance, email: string): Promise<{ cookie: string; id: string }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/setup',
    payload: { email, name: 'Bench', password: 'bench password 1234' },
  });
  const cookie = response.headers['set-cookie'] ?? '';
  const first = (Array.isArray(cookie) ? cookie[0] : cookie) ?? '';
  return { cookie: first.split(';')[0] ?? '', id: response.json<{ id: string }>().id };
}

export async function run(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-bench-search-'));
  try {
    const config = loadConfig({
      SHOEBOX_DATA_DIR: dataDir,
      SHOEBOX_STATIC_DIR: path.join(dataDir, 'none'),
      LOG_LEVEL: 'silent',
    });
    const app = await buildApp(config, { startJobs: false });
    const { db } = await openDatabase(config.database);
    try {
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

      const seed = async (ownerId: string, count: number): Promise<void> => {
        const start = Date.UTC(2005, 0, 1);
        const span = Date.UTC(2025, 0, 1) - start;
        await db.transaction().execute(async (trx) => {
          for (let at = 0; at < count; at += 500) {
            const rows = Array.from({ length: Math.min(500, count - at) }, (_, offset) => {
              const index = at + offset;
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
            });
            await trx.insertInto('assets').values(rows).execute();
          }
        });
      };
      const seeding = performance.now();
      await seed(owner.id, MAIN_ASSETS);
      const other = await app.inject({
        method: 'POST',
        url: '/api/users',
        headers: { cookie: owner.cookie },
        payload: { email: 'other@example.com', name: 'Other', password: 'other password 1234' },
      });
      await seed(other.json<{ id: string }>().id, OTHER_ASSETS);
      console.log(
        `seeded ${(MAIN_ASSETS + OTHER_ASSETS).toLocaleString('en')} assets in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
      );

      const bare = new Database(path.join(dataDir, 'shoebox.sqlite'), { readonly: true });
      const columns = ASSET_COLUMNS.join(', ');
      const order = 'order by captured_at desc, id desc limit 101';
      const city = places[7]?.city ?? '';
      const cases = [
        {
          name: 'text ("beach")',
          url: '/api/search?q=beach',
          sql: `select ${columns} from assets where owner_id = ? and deleted_at is null and name_key like '%beach%' ${order}`,
        },
        {
          name: 'date range (spring 2019)',
          url: `/api/search?q=${encodeURIComponent('spring 2019')}`,
          sql: `select ${columns} from assets where owner_id = ? and deleted_at is null and captured_at >= '2019-03-01' and captured_at < '2019-06-01' ${order}`,
        },
        {
          name: `place (${city})`,
          url: `/api/search?q=${encodeURIComponent(city)}`,
          sql: `select ${columns} from assets where owner_id = ? and deleted_at is null and place_id is not null and place_id in (select id from places where city_key = '${normaliseKey(city)}') ${order}`,
        },
      ];
      for (const item of cases) {
        const statement = bare.prepare(item.sql);
        const routeTimes: number[] = [];
        const bareTimes: number[] = [];
        let rows = 0;
        for (let round = 0; round < ROUNDS + 20; round++) {
          const started = performance.now();
          const response = await app.inject({
            method: 'GET',
            url: `${item.url}&limit=100`,
            headers: { cookie: owner.cookie },
          });
          const routeTime = performance.now() - started;
          const body = response.json<SearchResponse>();
          const bareStart = performance.now();
          const expected = statement.all(owner.id) as { id: string }[];
          const bareTime = performance.now() - bareStart;
          if (round === 0) {
            rows = body.items.length;
            const same = body.items.every((asset, index) => asset.id === expected[index]?.id);
            if (!same || body.items.length !== Math.min(100, expected.length))
              throw new Error(`${item.name}: the route and the bare SELECT found different rows`);
          }
          if (round >= 20) {
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
          if (round >= 4) suggestTimes.push(time);
        }
      }
      suggestTimes.sort((a, b) => a - b);
      console.log(
        `suggestions (${prefixes.length} prefixes): p50 ${ms(percentile(suggestTimes, 0.5))}, p95 ${ms(percentile(suggestTimes, 0.95))} (target < 20 ms)`,
      );
      console.log(
        `load average ${os
          .loadavg()
          .map((value) => value.toFixed(1))
          .join(' ')}`,
      );
      bare.close();
    } finally {
      await db.destroy();
      await app.close();
    }
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
