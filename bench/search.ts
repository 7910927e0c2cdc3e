/**
 * Issue 17 benchmark: search over 100,000 assets of one owner (and 10,000 of another), on SQLite,
 * or on PostgreSQL with `SHOEBOX_BENCH_DIALECT=postgres` (set-up in seeded-server.ts). The library
 * is seeded in bulk with the columns the search index job fills; the indexes and SQLite's triggers
 * keep themselves up to date as in the app. For the first page of:
 * - a text query: a word in 1 % of file names (looked up among places and cameras first, then
 *   found through the trigram index), and a word in every name (found by walking capture order);
 * - a date range (a spring: about 1,300 photos);
 * - a place (a city typed by name: about 200 photos);
 * the route's server time (fastify's `reply.elapsedTime`, routing to the response sent, read in
 * onResponse: the session check, reading the query, the queries, serialising) and inject's whole
 * round, in turns with the bare indexed SELECT of the same rows through the driver itself (a
 * prepared better-sqlite3 statement, or a named pg statement) on the index the app's query uses
 * (for a rare word, the trigram index joined in one statement; for a word in every name, the walk
 * down the timeline's index). Then the suggestions endpoint over a list of prefixes, through
 * inject. The figures come from a server started on the seeded library, as after a restart.
 * Prints p50 and p95 and the ratios of the server time to the SELECT (target ≤ 2× at p95;
 * suggestions p95 < 20 ms) with the load average, which on a shared machine moves every figure.
 * Asserts only that both sides return the same rows.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SearchResponse, SuggestionsResponse } from '../src/shared/search.ts';
import { normaliseKey } from '../src/shared/search-query.ts';
import type { Dialect } from '../src/server/db/index.ts';
import { ASSET_COLUMNS } from '../src/server/library/assets.ts';
import { searchSource } from '../src/server/search/index-job.ts';
import {
  load,
  percentile,
  random,
  signUp,
  timeAgainstBare,
  withSeededServer,
  type SeededServer,
} from './seeded-server.ts';

const MAIN_ASSETS = 100_000;
const OTHER_ASSETS = 10_000;
const ROUNDS = 200;
const WARM_UP = 20;
const CITIES = 300;
const CAMERAS = 40;
const WORDS = ['beach', 'birthday', 'garden', 'hike', 'dinner', 'snow', 'museum', 'concert'];

const ms = (value: number): string => `${value.toFixed(2)} ms`;

export async function run(): Promise<void> {
  const dialect: Dialect = process.env.SHOEBOX_BENCH_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
  await withSeededServer('search', dialect, async (server) => {
    console.log(`${dialect}; load average at the start ${load()}`);
    const seeding = performance.now();
    const library = await seedLibrary(server);
    const app = await server.restart();
    console.log(
      `seeded ${(MAIN_ASSETS + OTHER_ASSETS).toLocaleString('en')} assets in ${((performance.now() - seeding) / 1000).toFixed(1)} s (load ${load()})`,
    );
    await timeQueries(server, app, library);
    await timeSuggestions(app, library.owner.cookie);
    console.log(`load average at the end ${load()} (2 cores, shared with other work)`);
  });
}

interface Library {
  owner: { cookie: string; id: string };
  places: { id: string; city: string }[];
}

/** The owner's 100,000 photos and the other account's 10,000, with places, cameras and words. */
async function seedLibrary({ db, app, seed }: SeededServer): Promise<Library> {
  const owner = await signUp(app(), 'owner@example.com');
  const other = await app().inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: owner.cookie },
    payload: { email: 'other@example.com', name: 'Other', password: 'other password 1234' },
  });
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
    model_key: normaliseKey(`Model ${index}`),
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
  for (const [ownerId, count] of [
    [owner.id, MAIN_ASSETS],
    [other.json<{ id: string }>().id, OTHER_ASSETS],
  ] as const) {
    await seed(count, async (trx, from, to) => {
      const rows = Array.from({ length: to - from }, (_, offset) => row(ownerId, from + offset));
      await trx.insertInto('assets').values(rows).execute();
    });
  }
  return { owner, places };
}

/** Each query's first page through the route, in turns with its bare SELECT. */
async function timeQueries(
  { dialect, bare }: SeededServer,
  app: FastifyInstance,
  { owner, places }: Library,
) {
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
    bare: { text: string; values: readonly unknown[] };
  }[] = [
    {
      name: 'text, 1 % of names ("beach")',
      url: '/api/search?q=beach',
      bare: rareWord('beach'),
    },
    {
      name: 'text, every name ("img")',
      url: '/api/search?q=img',
      bare: commonWord('img'),
    },
    {
      name: 'date range (spring 2019)',
      url: `/api/search?q=${encodeURIComponent('spring 2019')}`,
      bare: {
        text: `select ${columns} from assets where owner_id = ? and deleted_at is null and captured_at >= ? and captured_at < ? ${order}`,
        values: [owner.id, '2019-03-01', '2019-06-01'],
      },
    },
    {
      name: `place (${city?.city ?? ''})`,
      url: `/api/search?q=${encodeURIComponent(city?.city ?? '')}`,
      bare: {
        text: `select ${columns} from assets where owner_id = ? and deleted_at is null and place_id = ? ${order}`,
        values: [owner.id, city?.id ?? ''],
      },
    },
  ];
  for (const item of cases) {
    await timeAgainstBare(app, item.name, {
      rounds: ROUNDS,
      warmUp: WARM_UP,
      target: 2,
      request: () =>
        app.inject({ method: 'GET', url: `${item.url}&limit=100`, headers: { cookie: owner.cookie } }),
      select: () => bare(item.bare.text, item.bare.values),
      check: (response, expected) => {
        const { items } = response.json<SearchResponse>();
        const same = items.every((asset, index) => asset.id === expected[index]?.id);
        // Every case finds more than a page.
        if (response.statusCode !== 200 || !same || items.length !== 100)
          throw new Error(`${item.name}: the route and the bare SELECT found different rows`);
      },
    });
  }
}

/** The suggestions endpoint over prefixes of each kind, through inject. */
async function timeSuggestions(app: FastifyInstance, cookie: string): Promise<void> {
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
        headers: { cookie },
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
}
