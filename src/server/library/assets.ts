import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type {
  Asset,
  AssetBuckets,
  AssetDetails,
  AssetPage,
  AssetPlace,
  Rotation,
  ThumbState,
  TrashPage,
} from '../../shared/api';
import type { Db } from '../db';
import type { AssetsTable, Database } from '../db/schema';
import { encodeCursor, type KeysetCursor } from './cursor';

/**
 * Asset queries. Every one takes the owner: there is no way to reach another user's asset, which
 * therefore looks exactly like a missing one (404).
 */
export type AssetRow = Selectable<AssetsTable>;

/**
 * The version a thumbnail is served under: the stored thumbnails' own, and the rotation the user
 * added, which the thumb route applies as it serves them (so a turn gets a URL of its own and no
 * cache shows the old one).
 */
export function servedThumbVersion(stored: string, rotation: Rotation): string {
  return rotation === 0 ? stored : `${stored}.r${rotation}`;
}

export function thumbStateOf(row: AssetSummaryRow): ThumbState {
  switch (row.thumb_state) {
    case 'ready':
      if (row.thumb_version !== null)
        return { state: 'ready', version: servedThumbVersion(row.thumb_version, row.rotation) };
      break;
    case 'placeholder':
      if (row.thumb_code !== null)
        return { state: 'placeholder', code: row.thumb_code, reason: row.thumb_reason ?? '' };
      break;
    case 'pending':
      return { state: 'pending' };
  }
  throw new Error(`Asset ${row.id} has an inconsistent thumbnail state (${row.thumb_state}).`);
}

const numberOrNull = (value: number | null): number | null => (value === null ? null : Number(value));

/**
 * The columns an `Asset` is made of. The timeline and the trash read only these: a page of
 * 100 rows then carries no camera, place or storage fields the response would drop.
 */
export const ASSET_COLUMNS = [
  'id',
  'filename',
  'mime_type',
  'bytes',
  'sha256',
  'source_sha256',
  'captured_at',
  'captured_offset_minutes',
  'uploaded_at',
  'width',
  'height',
  'duration_seconds',
  'thumb_state',
  'thumb_version',
  'thumb_code',
  'thumb_reason',
  'deleted_at',
  'owner_id',
  'favorited_at',
  'archived_at',
  'rotation',
] as const satisfies readonly (keyof AssetRow)[];

export type AssetSummaryRow = Pick<AssetRow, (typeof ASSET_COLUMNS)[number]>;

/** Whether the user's rotation turns the picture on its side (its width and height swap). */
export const isQuarterTurn = (rotation: Rotation): boolean => rotation === 90 || rotation === 270;

export function toAsset(row: AssetSummaryRow): Asset {
  const turned = isQuarterTurn(row.rotation);
  return {
    id: row.id,
    filename: row.filename,
    mimeType: row.mime_type,
    bytes: Number(row.bytes),
    sha256: row.sha256,
    sourceSha256: row.source_sha256,
    capturedAt: row.captured_at,
    capturedOffsetMinutes: numberOrNull(row.captured_offset_minutes),
    uploadedAt: row.uploaded_at,
    width: numberOrNull(turned ? row.height : row.width),
    height: numberOrNull(turned ? row.width : row.height),
    durationSeconds: numberOrNull(row.duration_seconds),
    thumb: thumbStateOf(row),
    deletedAt: row.deleted_at,
    ownerId: row.owner_id,
    favorite: row.favorited_at !== null,
    archived: row.archived_at !== null,
    rotation: row.rotation,
  };
}

/** The place an asset was indexed at (search/index-job.ts), for its details. */
export async function findPlace(db: Db, placeId: string | null): Promise<AssetPlace | null> {
  if (placeId === null) return null;
  const place = await db
    .selectFrom('places')
    .select(['country_code', 'country', 'region', 'city'])
    .where('id', '=', placeId)
    .executeTakeFirst();
  return place === undefined
    ? null
    : { countryCode: place.country_code, country: place.country, region: place.region, city: place.city };
}

export function toAssetDetails(row: AssetRow, place: AssetPlace | null): AssetDetails {
  return {
    ...toAsset(row),
    make: row.make,
    model: row.model,
    lens: row.lens,
    location:
      row.latitude === null || row.longitude === null
        ? null
        : { latitude: Number(row.latitude), longitude: Number(row.longitude) },
    place,
  };
}

/** The caller's asset, in the library or in the trash. */
export async function findAsset(db: Db, ownerId: string, id: string): Promise<AssetRow | undefined> {
  return db
    .selectFrom('assets')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findAssetBySource(
  db: Kysely<Database>,
  ownerId: string,
  sourceSha256: string,
): Promise<AssetRow | undefined> {
  return db
    .selectFrom('assets')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('source_sha256', '=', sourceSha256)
    .executeTakeFirst();
}

/**
 * Which of these source hashes the owner already has in the library, with their asset ids. The
 * trash does not count (see CheckResponse): the app uploads such a photo, which restores it.
 */
export async function findExistingSources(
  db: Db,
  ownerId: string,
  sourceSha256s: readonly string[],
): Promise<{ sourceSha256: string; id: string }[]> {
  if (sourceSha256s.length === 0) return [];
  const rows = await db
    .selectFrom('assets')
    .select(['source_sha256', 'id'])
    .where('owner_id', '=', ownerId)
    .where('source_sha256', 'in', [...new Set(sourceSha256s)])
    .where('deleted_at', 'is', null)
    .execute();
  return rows.map((row) => ({ sourceSha256: row.source_sha256, id: row.id }));
}

export interface TimelineQuery {
  after: KeysetCursor | null;
  /** Only assets captured before this stored time (the start of the day after `from`). */
  before: string | null;
  limit: number;
}

/**
 * The query of one page of the timeline, newest capture first, trash excluded. Keyset pagination on
 * (captured_at, id): the next page starts strictly after the last row of this one, so inserts
 * never shift or repeat it. The row-value comparison lets the index seek straight to the page
 * however deep it is. Separate from listAssets so the benchmark can time it apart.
 */
export function timelineQuery(db: Db, ownerId: string, page: TimelineQuery) {
  const { after, before, limit } = page;
  let query = db
    .selectFrom('assets')
    .select(ASSET_COLUMNS)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .where('archived_at', 'is', null);
  if (after !== null) {
    query = query.where((eb) => eb(eb.refTuple('captured_at', 'id'), '<', eb.tuple(after.key, after.id)));
  }
  if (before !== null) query = query.where('captured_at', '<', before);
  return query
    .orderBy('captured_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
}

/** The page of `rows`, read `limit + 1` at a time: one more than the page says whether another follows. */
export function toAssetPage(rows: readonly AssetSummaryRow[], limit: number): AssetPage {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toAsset),
    nextCursor:
      rows.length > limit && last !== undefined ? encodeCursor({ key: last.captured_at, id: last.id }) : null,
  };
}

/** One page of the timeline (see timelineQuery). */
export async function listAssets(db: Db, ownerId: string, page: TimelineQuery): Promise<AssetPage> {
  return toAssetPage(await timelineQuery(db, ownerId, page).execute(), page.limit);
}

/**
 * The query of listDayBuckets. Stored capture times are wall-clock `YYYY-MM-DDTHH:mm:ss.sssZ`:
 * the day is the first ten characters, in the photographer's calendar. substr() is the same in
 * SQLite and PostgreSQL, and this very expression is indexed (migration 0011_organise), so the
 * grouping reads the index in day order instead of sorting every row.
 */
export function dayBucketsQuery(db: Db, ownerId: string) {
  const day = sql<string>`substr(captured_at, 1, 10)`;
  return db
    .selectFrom('assets')
    .select((eb) => [day.as('day'), eb.fn.countAll().as('count')])
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .where('archived_at', 'is', null)
    .groupBy(day)
    .orderBy(day, 'desc');
}

/** Every capture day of the owner's library with its count, newest first. */
export async function listDayBuckets(db: Db, ownerId: string): Promise<AssetBuckets> {
  const rows = await dayBucketsQuery(db, ownerId).execute();
  const days = rows.map((row) => ({ day: row.day, count: Number(row.count) }));
  return { days, total: days.reduce((sum, bucket) => sum + bucket.count, 0) };
}

/** One page of the owner's trash, most recently trashed first. */
export async function listTrash(
  db: Db,
  ownerId: string,
  page: { after: KeysetCursor | null; limit: number; retentionDays: number },
): Promise<TrashPage> {
  const { after, limit, retentionDays } = page;
  let query = db
    .selectFrom('assets')
    .select(ASSET_COLUMNS)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is not', null);
  if (after !== null) {
    query = query.where((eb) => eb(eb.refTuple('deleted_at', 'id'), '<', eb.tuple(after.key, after.id)));
  }
  const rows = await query
    .orderBy('deleted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toAsset),
    nextCursor:
      rows.length > limit && last?.deleted_at != null
        ? encodeCursor({ key: last.deleted_at, id: last.id })
        : null,
    retentionDays,
  };
}

/** False when the owner already has an asset with this source hash. */
export async function insertAsset(db: Kysely<Database>, row: Insertable<AssetsTable>): Promise<boolean> {
  const result = await db
    .insertInto('assets')
    .values(row)
    .onConflict((conflict) => conflict.columns(['owner_id', 'source_sha256']).doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows !== 0n;
}
