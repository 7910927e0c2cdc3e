/**
 * The listings beside the timeline that page through assets by capture time the way it does
 * (keyset on capture time and id, `from=<day>` to jump, day buckets to size a virtual list):
 * favourites, the archive, an album in either order, a public link's photos, and the assets that
 * shared albums put in a member's timeline. Every one leaves the trash out: a photo in the trash
 * leaves its albums and links until it is restored.
 */
import { sql } from 'kysely';
import type { AssetBuckets, AssetPage, DayBucket } from '../../shared/api';
import type { AlbumOrder } from '../../shared/albums';
import type { Db } from '../db';
import { ASSET_COLUMNS, toAsset, type AssetSummaryRow } from './assets';
import { startOfNextDay } from './capture-date';
import { encodeCursor, type KeysetCursor } from './cursor';

export interface ListingQuery {
  after: KeysetCursor | null;
  /** `YYYY-MM-DD`: start at that day (newest first: the newest on or before it; oldest first: the oldest on or after it). */
  from: string | null;
  limit: number;
}

/** The capture-time bound that `from` sets, for the listing's order. */
function fromBound(from: string | null, order: AlbumOrder): { op: '<' | '>='; value: string } | null {
  if (from === null) return null;
  if (order === 'desc') {
    const next = startOfNextDay(from);
    return next === null ? null : { op: '<', value: next };
  }
  return { op: '>=', value: `${from}T00:00:00.000Z` };
}

/** Whether `from` names a day of the calendar (the routes refuse it otherwise). */
export const isDay = (from: string): boolean => startOfNextDay(from) !== null;

const PREFIXED_COLUMNS = ASSET_COLUMNS.map((column) => `assets.${column}` as const);

/** A page of rows read `limit + 1` at a time (the extra one says whether a page follows). */
export function toPage<Row extends AssetSummaryRow, Item>(
  rows: readonly Row[],
  limit: number,
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toItem),
    nextCursor:
      rows.length > limit && last !== undefined ? encodeCursor({ key: last.captured_at, id: last.id }) : null,
  };
}

export type OwnListing = 'favorites' | 'archive';

/** Favourites or the archive of one owner, newest first; each has a partial index of its own. */
export async function listOwn(
  db: Db,
  ownerId: string,
  which: OwnListing,
  page: ListingQuery,
): Promise<AssetPage> {
  const { after, limit } = page;
  let query = db
    .selectFrom('assets')
    .select(ASSET_COLUMNS)
    .where('owner_id', '=', ownerId)
    .where(which === 'favorites' ? 'favorited_at' : 'archived_at', 'is not', null)
    .where('deleted_at', 'is', null);
  const bound = fromBound(page.from, 'desc');
  if (bound !== null) query = query.where('captured_at', bound.op, bound.value);
  if (after !== null) {
    query = query.where((eb) => eb(eb.refTuple('captured_at', 'id'), '<', eb.tuple(after.key, after.id)));
  }
  const rows = await query
    .orderBy('captured_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toAsset);
}

const day = sql<string>`substr(captured_at, 1, 10)`;

function toBuckets(rows: readonly { day: string; count: number | string | bigint }[]): AssetBuckets {
  const days: DayBucket[] = rows.map((row) => ({ day: row.day, count: Number(row.count) }));
  return { days, total: days.reduce((sum, bucket) => sum + bucket.count, 0) };
}

export async function ownBuckets(db: Db, ownerId: string, which: OwnListing): Promise<AssetBuckets> {
  const rows = await db
    .selectFrom('assets')
    .select((eb) => [day.as('day'), eb.fn.countAll<number>().as('count')])
    .where('owner_id', '=', ownerId)
    .where(which === 'favorites' ? 'favorited_at' : 'archived_at', 'is not', null)
    .where('deleted_at', 'is', null)
    .groupBy(day)
    .orderBy(day, 'desc')
    .execute();
  return toBuckets(rows);
}

export type AlbumAssetRow = AssetSummaryRow & { added_by: string };

/**
 * One page of an album in its order. The album's rows carry the capture time, so the page is a
 * seek on album_assets_order however large the album is; each row then joins its asset by key.
 */
export function albumPageQuery(db: Db, albumId: string, order: AlbumOrder, page: ListingQuery) {
  const { after, limit } = page;
  let query = db
    .selectFrom('album_assets')
    .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
    .select([...PREFIXED_COLUMNS, 'album_assets.added_by'])
    .where('album_assets.album_id', '=', albumId)
    .where('assets.deleted_at', 'is', null);
  const bound = fromBound(page.from, order);
  if (bound !== null) query = query.where('album_assets.captured_at', bound.op, bound.value);
  if (after !== null) {
    query = query.where((eb) =>
      eb(
        eb.refTuple('album_assets.captured_at', 'album_assets.asset_id'),
        order === 'desc' ? '<' : '>',
        eb.tuple(after.key, after.id),
      ),
    );
  }
  return query
    .orderBy('album_assets.captured_at', order)
    .orderBy('album_assets.asset_id', order)
    .limit(limit + 1);
}

export async function listAlbumPage<Item>(
  db: Db,
  albumId: string,
  order: AlbumOrder,
  page: ListingQuery,
  toItem: (row: AlbumAssetRow) => Item,
): Promise<{ items: Item[]; nextCursor: string | null }> {
  const rows = await albumPageQuery(db, albumId, order, page).execute();
  return toPage(rows, page.limit, toItem);
}

const memberDay = sql<string>`substr(album_assets.captured_at, 1, 10)`;

export async function albumBuckets(db: Db, albumId: string, order: AlbumOrder): Promise<AssetBuckets> {
  const rows = await db
    .selectFrom('album_assets')
    .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
    .select((eb) => [memberDay.as('day'), eb.fn.countAll<number>().as('count')])
    .where('album_assets.album_id', '=', albumId)
    .where('assets.deleted_at', 'is', null)
    .groupBy(memberDay)
    .orderBy(memberDay, order)
    .execute();
  return toBuckets(rows);
}

/** A public link's selection of photos, newest first. */
export async function listLinkSelection<Item>(
  db: Db,
  linkId: string,
  page: ListingQuery,
  toItem: (row: AssetSummaryRow) => Item,
): Promise<{ items: Item[]; nextCursor: string | null }> {
  const { after, limit } = page;
  let query = db
    .selectFrom('shared_link_assets')
    .innerJoin('assets', 'assets.id', 'shared_link_assets.asset_id')
    .select(PREFIXED_COLUMNS)
    .where('shared_link_assets.link_id', '=', linkId)
    .where('assets.deleted_at', 'is', null);
  const bound = fromBound(page.from, 'desc');
  if (bound !== null) query = query.where('shared_link_assets.captured_at', bound.op, bound.value);
  if (after !== null) {
    query = query.where((eb) =>
      eb(
        eb.refTuple('shared_link_assets.captured_at', 'shared_link_assets.asset_id'),
        '<',
        eb.tuple(after.key, after.id),
      ),
    );
  }
  const rows = await query
    .orderBy('shared_link_assets.captured_at', 'desc')
    .orderBy('shared_link_assets.asset_id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toItem);
}

const linkDay = sql<string>`substr(shared_link_assets.captured_at, 1, 10)`;

export async function linkSelectionBuckets(db: Db, linkId: string): Promise<AssetBuckets> {
  const rows = await db
    .selectFrom('shared_link_assets')
    .innerJoin('assets', 'assets.id', 'shared_link_assets.asset_id')
    .select((eb) => [linkDay.as('day'), eb.fn.countAll<number>().as('count')])
    .where('shared_link_assets.link_id', '=', linkId)
    .where('assets.deleted_at', 'is', null)
    .groupBy(linkDay)
    .orderBy(linkDay, 'desc')
    .execute();
  return toBuckets(rows);
}

/** The albums whose photos `userId` asked to see in their timeline. */
function shownAlbumIds(db: Db, userId: string) {
  return db
    .selectFrom('album_members')
    .select('album_members.album_id')
    .where('album_members.user_id', '=', userId)
    .where('album_members.show_in_timeline', '=', 1);
}

/** Whether `userId` shows any shared album in their timeline (most users: no, and the timeline is theirs alone). */
export async function showsSharedAlbums(db: Db, userId: string): Promise<boolean> {
  const row = await shownAlbumIds(db, userId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Others' photos that shared albums put in `userId`'s timeline, newest first, each once however
 * many such albums hold it. The user's own photos are not among them: the timeline has those.
 */
export async function listSharedInTimeline(db: Db, userId: string, page: ListingQuery): Promise<AssetPage> {
  const { after, limit } = page;
  let query = db
    .selectFrom('assets')
    .select(ASSET_COLUMNS)
    .where('owner_id', '<>', userId)
    .where('deleted_at', 'is', null)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('album_assets')
        .select('album_assets.asset_id')
        .where('album_assets.album_id', 'in', shownAlbumIds(db, userId)),
    );
  const bound = fromBound(page.from, 'desc');
  if (bound !== null) query = query.where('captured_at', bound.op, bound.value);
  if (after !== null) {
    query = query.where((eb) => eb(eb.refTuple('captured_at', 'id'), '<', eb.tuple(after.key, after.id)));
  }
  const rows = await query
    .orderBy('captured_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toAsset);
}

export async function sharedInTimelineBuckets(db: Db, userId: string): Promise<AssetBuckets> {
  const rows = await db
    .selectFrom('assets')
    .select((eb) => [day.as('day'), eb.fn.countAll<number>().as('count')])
    .where('owner_id', '<>', userId)
    .where('deleted_at', 'is', null)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('album_assets')
        .select('album_assets.asset_id')
        .where('album_assets.album_id', 'in', shownAlbumIds(db, userId)),
    )
    .groupBy(day)
    .orderBy(day, 'desc')
    .execute();
  return toBuckets(rows);
}

/**
 * Two pages of disjoint listings, both newest first from the same place, as one: the first
 * `limit` of both in order. The next page continues after the last item taken, from which both
 * listings can start again, so nothing is skipped or repeated.
 */
export function mergePages(a: AssetPage, b: AssetPage, limit: number): AssetPage {
  const merged = [...a.items, ...b.items].sort((x, y) =>
    x.capturedAt === y.capturedAt ? compare(y.id, x.id) : compare(y.capturedAt, x.capturedAt),
  );
  const items = merged.slice(0, limit);
  const last = items.at(-1);
  const more = merged.length > limit || a.nextCursor !== null || b.nextCursor !== null;
  return {
    items,
    nextCursor: more && last !== undefined ? encodeCursor({ key: last.capturedAt, id: last.id }) : null,
  };
}

/** Code-unit order, as the databases compare these ASCII keys (not localeCompare). */
const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** Day counts of two disjoint listings added together, newest day first. */
export function mergeBuckets(a: AssetBuckets, b: AssetBuckets): AssetBuckets {
  const counts = new Map<string, number>();
  for (const bucket of [...a.days, ...b.days])
    counts.set(bucket.day, (counts.get(bucket.day) ?? 0) + bucket.count);
  const days = [...counts]
    .map(([bucketDay, count]) => ({ day: bucketDay, count }))
    .sort((x, y) => compare(y.day, x.day));
  return { days, total: a.total + b.total };
}
