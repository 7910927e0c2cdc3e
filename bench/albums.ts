/**
 * Issue 16 benchmark: an album of 10,000 photos in a library of 100,000 (every tenth photo of the
 * owner's), on SQLite and, when `SHOEBOX_TEST_DATABASE_URL` names a PostgreSQL server, on
 * PostgreSQL too (a throwaway database there, dropped at the end). The library is seeded in bulk
 * (500-row INSERTs, 5,000 rows a transaction) and the album's rows likewise, after the album itself
 * was made through the API. The figures come from a server started on the seeded library (as after
 * a restart). For the album's first page and a page 9,000 photos deep (`GET
 * /api/albums/:id/assets?limit=100`), in turns with the bare indexed SELECT of the same rows
 * through the driver itself (a prepared better-sqlite3 statement, or a named pg statement, on
 * album_assets_order joined to assets by key, the same columns and LIMIT):
 * - the server's time for the route: fastify's clock (`reply.elapsedTime`) from routing to the
 *   response sent, read in onResponse, through inject (the session check, the album's access
 *   check, the page's query, serialising);
 * - inject's whole round, for comparison.
 * Prints p50 and p95 of each and the ratio of the route's server time to the bare SELECT (target
 * ≤ 1.5×), with the load average, which on a shared machine moves every figure; then where the
 * first page's time goes, part by part (albums-parts.ts). Asserts only that both sides return the
 * same rows.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Album, AlbumPage } from '../src/shared/albums.ts';
import type { Dialect } from '../src/server/db/index.ts';
import { testDialects } from '../src/server/db/testing.ts';
import { ASSET_COLUMNS } from '../src/server/library/assets.ts';
import { decodeCursor } from '../src/server/library/cursor.ts';
import { printRouteParts } from './albums-parts.ts';
import { load, random, signUp, timeAgainstBare, withSeededServer } from './seeded-server.ts';

const LIBRARY = 100_000;
/** Every EVERY-th photo of the library is in the album: 10,000. */
const EVERY = 10;
const DEEP = 9_000;
const PAGE = 100;
const ROUNDS = 300;
const WARM_UP = 30;

async function runDialect(dialect: Dialect): Promise<void> {
  await withSeededServer('albums', dialect, async ({ app: firstApp, seed, restart, bare, db }) => {
    console.log(`${dialect}; load average at the start ${load()}`);
    const owner = await signUp(firstApp(), 'owner@example.com');
    const created = await firstApp().inject({
      method: 'POST',
      url: '/api/albums',
      headers: { cookie: owner.cookie },
      payload: { name: 'Ten thousand' },
    });
    const album = created.json<Album>();

    const next = random(16);
    const start = Date.UTC(2015, 0, 1);
    const span = Date.UTC(2025, 0, 1) - start;
    const seeding = performance.now();
    const now = new Date().toISOString();
    await seed(LIBRARY, async (trx, from, to) => {
      const rows = Array.from({ length: to - from }, (_, offset) => {
        const index = from + offset;
        const id = randomUUID();
        return {
          id,
          owner_id: owner.id,
          filename: `IMG_${String(index).padStart(6, '0')}.jpg`,
          mime_type: 'image/jpeg',
          bytes: 2_000_000,
          sha256: id.replace(/-/g, '').padEnd(64, '0'),
          source_sha256: id.replace(/-/g, '').padEnd(64, '1'),
          captured_at: new Date(start + Math.floor(next() * span)).toISOString(),
          uploaded_at: now,
          blob_key: `bench/${id}`,
          width: 4000,
          height: 3000,
          thumb_state: 'ready' as const,
          thumb_version: 'a'.repeat(24),
        };
      });
      await trx.insertInto('assets').values(rows).execute();
      const members = rows.filter((_, offset) => (from + offset) % EVERY === 0);
      await trx
        .insertInto('album_assets')
        .values(
          members.map((row) => ({
            album_id: album.id,
            asset_id: row.id,
            added_by: owner.id,
            added_at: now,
            captured_at: row.captured_at,
          })),
        )
        .execute();
    });
    console.log(
      `seeded ${LIBRARY.toLocaleString('en')} photos, ${(LIBRARY / EVERY).toLocaleString('en')} of them in the album, in ${((performance.now() - seeding) / 1000).toFixed(1)} s (load ${load()})`,
    );

    const url = `/api/albums/${album.id}/assets`;
    const getFrom = (server: FastifyInstance) => (query: string) =>
      server.inject({ url: `${url}?${query}`, headers: { cookie: owner.cookie } });
    // The cursor of the page that starts DEEP photos down, walked as the app pages, on the first
    // server: the one timed gets its clock (an onResponse hook) before its first request.
    let cursor: string | null = null;
    for (let walked = 0; walked < DEEP; walked += 500) {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      cursor = (await getFrom(firstApp())(`limit=500${query}`)).json<AlbumPage>().nextCursor;
      if (cursor === null) throw new Error(`the album ended before ${DEEP} photos`);
    }
    const app = await restart();
    const get = getFrom(app);
    const after = decodeCursor(cursor ?? '');
    if (after === null || cursor === null)
      throw new Error('the walk ended on a cursor the server cannot read');

    const columns = [...ASSET_COLUMNS.map((column) => `assets.${column}`), 'album_assets.added_by'].join(
      ', ',
    );
    const from = `select ${columns} from album_assets inner join assets on assets.id = album_assets.asset_id
      where album_assets.album_id = ? and assets.deleted_at is null`;
    const order = 'order by album_assets.captured_at desc, album_assets.asset_id desc limit ?';
    const pages = [
      {
        name: 'first page',
        query: `limit=${PAGE}`,
        text: `${from} ${order}`,
        values: [album.id, PAGE + 1],
      },
      {
        name: `page ${DEEP.toLocaleString('en')} deep`,
        query: `limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`,
        text: `${from} and (album_assets.captured_at, album_assets.asset_id) < (?, ?) ${order}`,
        values: [album.id, after.key, after.id, PAGE + 1],
      },
    ];
    for (const page of pages) {
      await timeAgainstBare(app, `${page.name} (${PAGE} photos)`, {
        rounds: ROUNDS,
        warmUp: WARM_UP,
        target: 1.5,
        request: () => get(page.query),
        select: () => bare(page.text, page.values),
        check: (response, rows) => {
          const body = response.json<AlbumPage>();
          const same = body.items.every((asset, index) => asset.id === rows[index]?.id);
          if (response.statusCode !== 200 || body.items.length !== PAGE || !same)
            throw new Error(`${page.name}: the route and the bare SELECT found different rows`);
        },
      });
    }
    await printRouteParts({
      db,
      albumId: album.id,
      userId: owner.id,
      sessionSecret: decodeURIComponent(owner.cookie.slice(owner.cookie.indexOf('=') + 1)),
      limit: PAGE,
      bare: () => bare(pages[0]?.text ?? '', pages[0]?.values ?? []),
      route: () => get(`limit=${PAGE}`),
      me: () => app.inject({ url: '/api/me', headers: { cookie: owner.cookie } }),
      rounds: ROUNDS,
      warmUp: WARM_UP,
    });
    console.log(`load average at the end ${load()} (${os.cpus().length} cores, shared with other work)`);
  });
}

export async function run(): Promise<void> {
  const dialects = testDialects();
  if (!dialects.includes('postgres'))
    console.log('PostgreSQL not run: set SHOEBOX_TEST_DATABASE_URL to a server to run it too.');
  for (const dialect of dialects) await runDialect(dialect);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
