/**
 * Where the album route's time goes (issue 16: profile the route): each part of
 * `GET /api/albums/:id/assets` for the first page, timed alone in the server's process, in turns
 * with the bare SELECT and the whole route (inject), as the route runs them: the session lookup
 * (the auth hook), the album's access (albumFor), the page's query through Kysely (and, of it,
 * building and compiling it), mapping the rows, and serialising the page with the route's
 * response schema (fast-json-stringify, as fastify does); beside them `GET /api/me`, the fixed
 * cost of any authenticated request through inject. Prints the p50 of each, its share of
 * the bare SELECT's p50, and what the parts add up to against the whole route: the rest is
 * fastify's and inject's own work (hooks, headers, writing the body).
 */
import fastJsonStringify, { type Schema } from 'fast-json-stringify';
import type { Db } from '../src/server/db/index.ts';
import { findSession } from '../src/server/auth/sessions.ts';
import { albumFor } from '../src/server/library/albums.ts';
import { toAsset } from '../src/server/library/assets.ts';
import { albumPageQuery, toPage, type AlbumAssetRow } from '../src/server/library/listings.ts';
import { albumPageResponseSchema } from '../src/server/routes/album-schemas.ts';
import { percentile } from './seeded-server.ts';

export interface RoutePartsInput {
  db: Db;
  albumId: string;
  userId: string;
  /** The session cookie's value, as the auth hook reads it. */
  sessionSecret: string;
  limit: number;
  /** The bare SELECT of the same rows, through the driver. */
  bare: () => Promise<unknown>;
  /** The whole route, through inject. */
  route: () => Promise<unknown>;
  /** `GET /api/me` through inject: what any authenticated request costs. */
  me: () => Promise<unknown>;
  rounds: number;
  warmUp: number;
}

export async function printRouteParts(input: RoutePartsInput): Promise<void> {
  const { db, albumId, userId, limit } = input;
  const page = { after: null, from: null, limit };
  const query = () => albumPageQuery(db, albumId, 'desc', page);
  const toItem = (row: AlbumAssetRow) => ({ ...toAsset(row), addedBy: row.added_by });
  const rows = await query().execute();
  const items = toPage(rows, limit, toItem);
  // A copy: the schema is a readonly constant, and fast-json-stringify's types want a mutable one.
  const serialise = fastJsonStringify(structuredClone(albumPageResponseSchema) as unknown as Schema);
  const parts: [string, () => unknown][] = [
    ['bare SELECT (driver)', input.bare],
    ['session lookup', () => findSession(db, input.sessionSecret, new Date())],
    ["album's access (albumFor)", () => albumFor(db, userId, albumId)],
    ["page's query through Kysely", () => query().execute()],
    ['  of it, building and compiling', () => query().compile()],
    ['mapping the rows', () => toPage(rows, limit, toItem)],
    ['serialising (response schema)', () => serialise(items)],
    ['GET /api/me (inject)', input.me],
    ['whole route (inject)', input.route],
  ];
  const times = parts.map((): number[] => []);
  for (let round = 0; round < input.rounds + input.warmUp; round++) {
    for (const [index, [, part]] of parts.entries()) {
      const started = performance.now();
      await part();
      if (round >= input.warmUp) times[index]?.push(performance.now() - started);
    }
  }
  const p50 = times.map((list) =>
    percentile(
      [...list].sort((a, b) => a - b),
      0.5,
    ),
  );
  const bare = p50[0] ?? Number.NaN;
  console.log(`where the route's time goes, first page (p50 of ${input.rounds} turns each):`);
  for (const [index, [name]] of parts.entries()) {
    const value = p50[index] ?? Number.NaN;
    console.log(`  ${name.padEnd(34)} ${value.toFixed(3)} ms  ${(value / bare).toFixed(2)}× the SELECT`);
  }
  // The session, the access check, the query, mapping and serialising: what the handler runs.
  const sum = [1, 2, 3, 5, 6].reduce((total, index) => total + (p50[index] ?? 0), 0);
  const whole = p50.at(-1) ?? Number.NaN;
  const me = p50.at(-2) ?? Number.NaN;
  console.log(
    `  parts added up ${sum.toFixed(3)} ms (${(sum / bare).toFixed(2)}× the SELECT); the rest of the route, fastify and inject: ${(whole - sum).toFixed(3)} ms; the route less GET /api/me: ${(whole - me).toFixed(3)} ms (${((whole - me) / bare).toFixed(2)}× the SELECT)`,
  );
}
