/**
 * Issue 4 benchmark, server half: 100,000 assets of one owner (and 10,000 each of two others)
 * seeded into SQLite through the app's own Kysely database, then the timeline's first page and a
 * page 90,000 items deep timed many times each, in turns:
 * - `GET /api/assets` over real HTTP from a keep-alive fetch() client: the server's own time
 *   (fastify's `reply.elapsedTime`, from routing through the session check, query and
 *   serialising to the last byte handed to the socket) and the client's round trip (which also
 *   pays for the client, running in this same process);
 * - the same through fastify's inject, and `GET /api/me`, the fixed cost of any authenticated
 *   request, both ways;
 * - `listAssets()` alone (the query and the per-row mapping the route returns);
 * - the same query as a bare prepared statement on better-sqlite3, on the same index and columns;
 * - the route's parts: session lookup, getting the compiled query, executing it, mapping rows,
 *   JSON.stringify against the route's fast-json-stringify schema. The server compresses nothing.
 * Prints median and p95 for each, ratios to the bare SELECT (target ≤ 1.5), the day buckets
 * endpoint and the load average. The headline is the route's server time over the bare SELECT:
 * the issue's "server time for the page". Asserts nothing but that the route's JSON is
 * listAssets' result.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import fastJsonStringify, { type Schema } from 'fast-json-stringify';
import { sql, type Insertable } from 'kysely';
import type { AssetPage } from '../src/shared/api.ts';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { openDatabase, type Db } from '../src/server/db/index.ts';
import type { AssetsTable } from '../src/server/db/schema.ts';
import { findSession } from '../src/server/auth/sessions.ts';
import { ASSET_COLUMNS, listAssets, timelineQuery, toAssetPage } from '../src/server/library/assets.ts';
import { assetPageResponseSchema } from '../src/server/routes/assets.ts';
import { decodeCursor } from '../src/server/library/cursor.ts';

const MAIN_ASSETS = 100_000;
const OTHER_ASSETS = 10_000;
const DEEP = 90_000;
const PAGE = 100;
const REPETITIONS = 400;
const INSERT_BATCH = 500;
const YEARS = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A small deterministic generator, so runs are comparable. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

interface Figures {
  median: number;
  p95: number;
}

function summarise(times: number[]): Figures {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95) };
}

/**
 * Median and p95 of each task, in milliseconds, after a few warm-up runs. The tasks take turns
 * within each repetition, so a busy machine slows them alike and their ratios stay fair.
 */
async function measure(tasks: (() => unknown)[], repetitions = REPETITIONS): Promise<Figures[]> {
  for (let i = 0; i < 20; i++) for (const task of tasks) await task();
  const times = tasks.map((): number[] => []);
  for (let i = 0; i < repetitions; i++) {
    for (const [k, task] of tasks.entries()) {
      const start = performance.now();
      await task();
      times[k]?.push(performance.now() - start);
    }
  }
  return times.map(summarise);
}

const ms = (value: number): string => `${value.toFixed(3)} ms`;

async function signUp(app: FastifyInstance): Promise<{ cookie: string; secret: string; ownerId: string }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/setup',
    payload: { email: 'owner@example.com', name: 'Owner', password: 'owner password' },
  });
  if (response.statusCode !== 201) throw new Error(`setup: ${response.statusCode} ${response.body}`);
  const session = response.cookies.find((cookie) => cookie.name === 'shoebox_session');
  if (session === undefined) throw new Error('setup set no session cookie');
  return {
    cookie: `shoebox_session=${session.value}`,
    secret: session.value,
    ownerId: response.json<{ id: string }>().id,
  };
}

async function addMember(app: FastifyInstance, cookie: string, email: string): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie },
    payload: { email, name: email, password: 'member password' },
  });
  if (response.statusCode !== 201) throw new Error(`member: ${response.statusCode} ${response.body}`);
  return response.json<{ id: string }>().id;
}

/**
 * `count` assets of `ownerId` spread over the last ten years (busy days and quiet ones, as a
 * phone's camera roll has), inserted `INSERT_BATCH` per statement, one transaction per owner.
 */
async function seed(db: Db, ownerId: string, count: number, next: () => number): Promise<void> {
  const end = Date.UTC(2026, 0, 1);
  const rows: Insertable<AssetsTable>[] = [];
  for (let i = 0; i < count; i++) {
    // Squaring skews towards recent years: people take more photos now than ten years ago.
    const ago = next() ** 2 * YEARS * 365 * DAY_MS;
    const capturedAt = new Date(end - ago).toISOString();
    const video = next() < 0.05;
    const hash = i.toString(16).padStart(64, '0');
    rows.push({
      id: randomUUID(),
      owner_id: ownerId,
      filename: `${video ? 'VID' : 'IMG'}_${String(i).padStart(6, '0')}.${video ? 'mp4' : 'jpg'}`,
      mime_type: video ? 'video/mp4' : 'image/jpeg',
      bytes: 1_000_000 + Math.floor(next() * 4_000_000),
      sha256: hash,
      source_sha256: hash,
      captured_at: capturedAt,
      uploaded_at: capturedAt,
      blob_key: `bench/${i}`,
      width: 4032,
      height: 3024,
      make: 'Apple',
      model: 'iPhone 12',
      lens: null,
      latitude: null,
      longitude: null,
      captured_offset_minutes: 60,
      duration_seconds: video ? 12.5 : null,
      thumb_state: 'ready',
      thumb_version: 'a'.repeat(24),
      thumb_code: null,
      thumb_reason: null,
      deleted_at: null,
    });
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      await trx
        .insertInto('assets')
        .values(rows.slice(i, i + INSERT_BATCH))
        .execute();
    }
  });
}

export async function run(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-bench-library-'));
  const config = loadConfig({
    SHOEBOX_DATA_DIR: dataDir,
    SHOEBOX_STATIC_DIR: path.join(dataDir, 'no-app'),
    LOG_LEVEL: 'silent',
  });
  const app = await buildApp(config, { startJobs: false });
  // The server's own time for each request: fastify starts the clock when it has routed the
  // request (before the session check) and stops it when the last byte is handed to the socket.
  let elapsed = Number.NaN;
  app.addHook('onResponse', async (_request, reply) => {
    elapsed = reply.elapsedTime;
  });
  const file = path.join(dataDir, 'shoebox.sqlite');
  const db = await openDatabase(file);
  const bare = new Database(file, { readonly: true });
  try {
    const { cookie, secret, ownerId } = await signUp(app);
    const others = [
      await addMember(app, cookie, 'ada@example.com'),
      await addMember(app, cookie, 'bob@example.com'),
    ];
    const next = random(42);
    const seeding = performance.now();
    await seed(db, ownerId, MAIN_ASSETS, next);
    for (const other of others) await seed(db, other, OTHER_ASSETS, next);
    await sql`ANALYZE`.execute(db);
    console.log(
      `seeded ${(MAIN_ASSETS + OTHER_ASSETS * others.length).toLocaleString('en')} assets (${MAIN_ASSETS.toLocaleString('en')} for the owner measured, three owners) in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );

    // The cursor of the page that starts 90,000 items down, found by walking as the app does.
    let cursor: string | null = null;
    for (let walked = 0; walked < DEEP; walked += 500) {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page: AssetPage = (
        await app.inject({ url: `/api/assets?limit=500${query}`, headers: { cookie } })
      ).json();
      cursor = page.nextCursor;
      if (cursor === null) throw new Error(`the timeline ended before ${DEEP} items`);
    }
    const deepCursor = cursor ?? '';
    const after = decodeCursor(deepCursor);
    if (after === null) throw new Error('the walk ended on a cursor the server cannot read');

    // The columns listAssets reads: the same query, written by hand.
    const columns = ASSET_COLUMNS.join(', ');
    const firstSql = bare.prepare(
      `SELECT ${columns} FROM assets WHERE owner_id = ? AND deleted_at IS NULL
       ORDER BY captured_at DESC, id DESC LIMIT ?`,
    );
    const deepSql = bare.prepare(
      `SELECT ${columns} FROM assets WHERE owner_id = ? AND deleted_at IS NULL AND (captured_at, id) < (?, ?)
       ORDER BY captured_at DESC, id DESC LIMIT ?`,
    );
    const plan = bare
      .prepare(`EXPLAIN QUERY PLAN ${deepSql.source}`)
      .all(ownerId, after.key, after.id, PAGE + 1) as { detail: string }[];
    console.log(`bare query plan: ${plan.map((row) => row.detail).join('; ')}`);

    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    // A mutable copy: the route's schema is declared `as const`, which fast-json-stringify's types refuse.
    const stringifyPage = fastJsonStringify(structuredClone(assetPageResponseSchema) as unknown as Schema);

    const pages = [
      { name: 'first page', url: `/api/assets?limit=${PAGE}`, after: null },
      {
        name: `page ${DEEP.toLocaleString('en')} deep`,
        url: `/api/assets?limit=${PAGE}&cursor=${encodeURIComponent(deepCursor)}`,
        after,
      },
    ];
    for (const page of pages) {
      const check = await app.inject({ url: page.url, headers: { cookie } });
      if (check.statusCode !== 200 || check.json<AssetPage>().items.length !== PAGE) {
        throw new Error(`${page.name}: ${check.statusCode} ${check.body.slice(0, 200)}`);
      }
      const body = check.json<AssetPage>();
      // The route must answer what listAssets returns, byte for byte as JSON.stringify writes it.
      const direct = await listAssets(db, ownerId, { after: page.after, before: null, limit: PAGE });
      if (check.body !== JSON.stringify(direct)) throw new Error(`${page.name}: the route's JSON differs`);
      const compiled = timelineQuery(db, ownerId, { after: page.after, before: null, limit: PAGE });
      const rows = (await db.executeQuery(compiled)).rows;
      const serverPage: number[] = [];
      const serverMe: number[] = [];
      const [
        http,
        httpMe,
        inject,
        injectMe,
        list,
        select,
        session,
        compile,
        execute,
        mapping,
        stringify,
        schema,
      ] = await measure([
        // Over real HTTP on a kept-alive connection, as the app's fetch() meets it.
        async () => {
          await (await fetch(`${base}${page.url}`, { headers: { cookie } })).text();
          serverPage.push(elapsed);
        },
        // What any authenticated request costs: routing, the session lookup, a tiny JSON.
        async () => {
          await (await fetch(`${base}/api/me`, { headers: { cookie } })).text();
          serverMe.push(elapsed);
        },
        () => app.inject({ url: page.url, headers: { cookie } }),
        () => app.inject({ url: '/api/me', headers: { cookie } }),
        () => listAssets(db, ownerId, { after: page.after, before: null, limit: PAGE }),
        () =>
          page.after === null
            ? firstSql.all(ownerId, PAGE + 1)
            : deepSql.all(ownerId, page.after.key, page.after.id, PAGE + 1),
        () => findSession(db, secret, new Date()),
        () => timelineQuery(db, ownerId, { after: page.after, before: null, limit: PAGE }),
        () => db.executeQuery(compiled),
        () => toAssetPage(rows, PAGE),
        () => JSON.stringify(body),
        () => stringifyPage(body),
      ]);
      if (
        !http ||
        !httpMe ||
        !inject ||
        !injectMe ||
        !list ||
        !select ||
        !session ||
        !compile ||
        !execute ||
        !mapping ||
        !stringify ||
        !schema
      ) {
        throw new Error('a measure is missing');
      }
      const line = (label: string, figures: Figures): void =>
        console.log(`  ${label.padEnd(44)} median ${ms(figures.median)}  p95 ${ms(figures.p95)}`);
      console.log(
        `${page.name} (${PAGE} items, ${Buffer.byteLength(check.body).toLocaleString('en')} bytes of JSON, not compressed: the server has no compression):`,
      );
      // The warm-up runs pushed too: keep the measured ones.
      const server = summarise(serverPage.slice(-REPETITIONS));
      const serverFixed = summarise(serverMe.slice(-REPETITIONS));
      line('GET /api/assets, server time (HTTP)', server);
      line('GET /api/me, server time (HTTP)', serverFixed);
      line('GET /api/assets (HTTP, keep-alive fetch)', http);
      line('GET /api/me (HTTP, same session)', httpMe);
      line('GET /api/assets (inject)', inject);
      line('GET /api/me (inject)', injectMe);
      line('listAssets (Kysely query, mapping)', list);
      line('bare prepared SELECT', select);
      console.log('  breakdown:');
      line('  session lookup (findSession)', session);
      line('  Kysely query (compiled once, values bound)', compile);
      line('  Kysely execute (compiled, cached stmt)', execute);
      line('  row mapping (toAssetPage)', mapping);
      line('  JSON.stringify of the page', stringify);
      line('  fast-json-stringify (response schema)', schema);
      const ratio = (value: number): string => (value / select.median).toFixed(2);
      console.log(
        `  ratio to the bare SELECT (target ≤ 1.5): server time of the route ${ratio(server.median)} (headline), less a request's fixed cost ${ratio(server.median - serverFixed.median)}; query ${ratio(list.median)}, handler (query and serialising) ${ratio(list.median + schema.median)}, round trip over HTTP (client in this process) ${ratio(http.median)}, inject ${ratio(inject.median)}`,
      );
    }

    const bucketsSql = bare.prepare(
      `SELECT substr(captured_at, 1, 10) AS day, count(*) AS count FROM assets
       WHERE owner_id = ? AND deleted_at IS NULL GROUP BY day ORDER BY day DESC`,
    );
    const [buckets, bareBuckets] = await measure(
      [() => app.inject({ url: '/api/assets/buckets', headers: { cookie } }), () => bucketsSql.all(ownerId)],
      40,
    );
    if (!buckets || !bareBuckets) throw new Error('a measure is missing');
    console.log(
      `GET /api/assets/buckets (${MAIN_ASSETS.toLocaleString('en')} assets): median ${ms(buckets.median)}  p95 ${ms(buckets.p95)}; bare GROUP BY median ${ms(bareBuckets.median)} (ratio ${(buckets.median / bareBuckets.median).toFixed(2)})`,
    );
    console.log(
      `load average ${os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(', ')} (${os.cpus().length} cores)`,
    );
  } finally {
    bare.close();
    await db.destroy();
    await app.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
