/**
 * The search index job (issue 17): fills each asset's search columns (place, camera, normalised
 * name, screenshot or selfie) from what the library already stored, in batches, in the
 * background. One job serves new uploads, assets whose metadata was read again, the back-fill of
 * assets stored before search existed, and a re-index when the geocoder's data changes: each of
 * these leaves `search_source` null (or stale) and makes sure a job is queued.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { normaliseKey } from '../../shared/search-query';
import type { CaptureKind, Database } from '../db/schema';
import { dialectOf, type Db } from '../db';
import { enqueueJob, type JobHandler } from '../jobs/queue';
import { geocoderSource, sharedGeocoder, type Place, type ReverseGeocoder } from '../places/geocoder';

export const SEARCH_INDEX_JOB = 'search-index';
/** Once a day it looks for anything left behind (and at every start, see JobQueue.register). */
export const SEARCH_INDEX_EVERY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;
/** What the search columns are computed from. */
const INDEXED_COLUMNS = ['filename', 'make', 'model', 'lens', 'latitude', 'longitude'] as const;
/** Bumped when what the columns hold changes, so that every asset is indexed again. */
const INDEX_VERSION = 1;

export function searchSource(): string {
  return `index ${INDEX_VERSION};${geocoderSource()}`;
}

/**
 * Queues a search index job unless one is already queued to run now (its unique key). Takes the
 * caller's transaction, so that the job commits with the row it indexes; wake the queue after
 * the commit.
 */
export async function ensureSearchIndexJob(db: Kysely<Database>, now: Date): Promise<void> {
  await enqueueJob(db, { kind: SEARCH_INDEX_JOB, uniqueKey: `due:${SEARCH_INDEX_JOB}` }, now);
}

/** File names that screenshot tools give (Android, iOS exports, macOS, Windows, in a few languages). */
const SCREENSHOT_NAME =
  /screenshot|screen shot|screen_shot|bildschirmfoto|captura de pantalla|capture d.écran|schermata|skärmbild|スクリーンショット/iu;

export interface IndexInput {
  filename: string;
  make: string | null;
  model: string | null;
  lens: string | null;
}

/** Screenshot by the name its tool gave it; selfie where the lens says it is the front camera. */
export function captureKindOf(asset: IndexInput): CaptureKind | null {
  if (SCREENSHOT_NAME.test(asset.filename.normalize('NFC'))) return 'screenshot';
  // iPhones write "iPhone 11 Pro front camera 2.71mm f/2.2"; Android phones that name the lens
  // say "Front" too.
  if (asset.lens !== null && /\bfront\b/i.test(asset.lens)) return 'selfie';
  return null;
}

export interface CameraRow {
  id: string;
  make: string | null;
  model: string | null;
  label: string;
  key: string;
  make_key: string | null;
  model_key: string | null;
}

/** The camera as people name it: "Canon EOS 40D" (make Canon, model "Canon EOS 40D"), "Apple iPhone 6". */
export function cameraOf(make: string | null, model: string | null): CameraRow | null {
  const cleanMake = make?.trim() || null;
  const cleanModel = model?.trim() || null;
  if (cleanMake === null && cleanModel === null) return null;
  let label = cleanModel ?? cleanMake ?? '';
  if (cleanMake !== null && cleanModel !== null) {
    const makeWord = normaliseKey(cleanMake).split(' ')[0] ?? '';
    label = normaliseKey(cleanModel).startsWith(makeWord) ? cleanModel : `${cleanMake} ${cleanModel}`;
  }
  return {
    id: `${cleanMake ?? ''}/${cleanModel ?? ''}`,
    make: cleanMake,
    model: cleanModel,
    label,
    key: normaliseKey(label),
    make_key: cleanMake === null ? null : normaliseKey(cleanMake),
    model_key: cleanModel === null ? null : normaliseKey(cleanModel),
  };
}

export function placeRowOf(place: Place) {
  return {
    id: `${place.countryCode}/${place.region ?? ''}/${place.city ?? ''}`,
    country_code: place.countryCode,
    country: place.country,
    region: place.region,
    city: place.city,
    country_key: normaliseKey(place.country),
    region_key: place.region === null ? null : normaliseKey(place.region),
    city_key: place.city === null ? null : normaliseKey(place.city),
  };
}

/** Marks for indexing every asset indexed from other data than this server's (after an upgrade). */
export async function markStaleAssets(db: Db): Promise<void> {
  await db
    .updateTable('assets')
    .set({ search_source: null })
    .where('search_source', 'is not', null)
    .where('search_source', '<>', searchSource())
    .execute();
}

/** Indexes every asset whose search columns are missing. */
export async function indexPendingAssets(
  db: Db,
  signal: AbortSignal,
  log: FastifyBaseLogger,
): Promise<number> {
  const source = searchSource();
  let geocoder: ReverseGeocoder | null = null;
  let indexed = 0;
  let after = '';
  for (;;) {
    signal.throwIfAborted();
    const batch = await db
      .selectFrom('assets')
      .select(['id', ...INDEXED_COLUMNS])
      .where('search_source', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (batch.length === 0) break;
    after = batch.at(-1)?.id ?? after;
    if (geocoder === null && batch.some((row) => row.latitude !== null && row.longitude !== null)) {
      geocoder = await sharedGeocoder();
    }
    const places = new Map<string, ReturnType<typeof placeRowOf>>();
    const cameras = new Map<string, CameraRow>();
    const updates = batch.map((row) => {
      const place =
        geocoder === null || row.latitude === null || row.longitude === null
          ? null
          : geocoder.lookup(Number(row.latitude), Number(row.longitude));
      const placeRow = place === null ? null : placeRowOf(place);
      if (placeRow !== null) places.set(placeRow.id, placeRow);
      const camera = cameraOf(row.make, row.model);
      if (camera !== null) cameras.set(camera.id, camera);
      return {
        row,
        columns: {
          place_id: placeRow?.id ?? null,
          camera_id: camera?.id ?? null,
          name_key: normaliseKey(row.filename),
          capture_kind: captureKindOf(row),
          search_source: source,
        },
      };
    });
    await db.transaction().execute(async (trx) => {
      for (const place of places.values()) {
        await trx
          .insertInto('places')
          .values(place)
          .onConflict((conflict) => conflict.column('id').doNothing())
          .execute();
      }
      for (const camera of cameras.values()) {
        await trx
          .insertInto('cameras')
          .values(camera)
          .onConflict((conflict) => conflict.column('id').doNothing())
          .execute();
      }
      for (const update of updates) {
        // Only over what was read: a row changed meanwhile (its metadata read again, a rename)
        // was set back to search_source null and has a job queued for it (ensureSearchIndexJob),
        // which this stale write must not mark as indexed.
        let write = trx.updateTable('assets').set(update.columns).where('id', '=', update.row.id);
        for (const column of INDEXED_COLUMNS) {
          const value = update.row[column];
          write = value === null ? write.where(column, 'is', null) : write.where(column, '=', value);
        }
        await write.execute();
      }
    });
    indexed += batch.length;
  }
  if (indexed > 0) {
    log.info({ indexed }, 'indexed photos and videos for search');
    await refreshPlannerStatistics(db);
  }
  return indexed;
}

/**
 * After many new photos, SQLite's planner needs fresh statistics to pick the search indexes (see
 * db/sqlite.ts); `PRAGMA optimize` does nothing unless a table changed enough. PostgreSQL's
 * autovacuum keeps its own.
 */
export async function refreshPlannerStatistics(db: Db): Promise<void> {
  if (dialectOf(db) === 'sqlite') await sql`pragma optimize = 0x10002`.execute(db);
}

export function searchIndexJob(db: Db, log: FastifyBaseLogger): JobHandler {
  // Data only changes with the server's version: looking for stale rows once per process is enough.
  let checkedStale = false;
  return {
    async run(_job, signal) {
      if (!checkedStale) {
        await markStaleAssets(db);
        checkedStale = true;
      }
      await indexPendingAssets(db, signal, log);
    },
  };
}
