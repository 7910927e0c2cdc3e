/**
 * Search queries (issue 17), built with Kysely so that they run on SQLite and PostgreSQL alike.
 * A query's words are read into filters (src/shared/search-query.ts), the words left are looked
 * up among the places and cameras the user has photos from, and what is still left is matched
 * against file names. Filters of one kind widen each other (city:Paris city:Rome: either city);
 * filters of different kinds narrow (Paris and 2019); words of a file name must all be in it.
 * Every query is scoped by `inScope`: the user's own library and the albums they own or are a member of.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { AssetPage } from '../../shared/api';
import type { AppliedFilter, SearchFilter } from '../../shared/search';
import { dedupe, labelOf, normaliseKey, parseQuery, tokenOf } from '../../shared/search-query';
import { dialectOf, type Db } from '../db';
import { ASSET_COLUMNS, toAssetPage } from '../library/assets';
import type { KeysetCursor } from '../library/cursor';
import {
  albumNames,
  hasAssetsAt,
  hasAssetsWith,
  inScope,
  visibleAlbumIds,
  type AssetsBuilder,
  type SearchScope,
} from './scope';

/** Longest phrase looked up as one place or camera ("new york city", "canon eos 40d"). */
export const PHRASE_MAX = 4;

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });
export const countryName = (code: string): string => countryNames.of(code) ?? code;

/** `%`, `_` and the escape itself, escaped for LIKE … ESCAPE '\'. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (match) => `\\${match}`);

/** The normalised file name contains `text` (normalised). */
function nameContains(text: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref('assets.name_key')} like ${`%${escapeLike(text)}%`} escape ${'\\'}`;
}

export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || day >= '9999-12-31') return '9999-12-32';
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

function placeIn(eb: AssetsBuilder, column: 'country_code' | 'region_key' | 'city_key', value: string) {
  return eb.and([
    eb('assets.place_id', 'is not', null),
    eb('assets.place_id', 'in', eb.selectFrom('places').select('places.id').where(column, '=', value)),
  ]);
}

function cameraIn(eb: AssetsBuilder, column: 'key' | 'make_key', value: string) {
  return eb.and([
    eb('assets.camera_id', 'is not', null),
    eb('assets.camera_id', 'in', eb.selectFrom('cameras').select('cameras.id').where(column, '=', value)),
  ]);
}

/** The condition one filter puts on an asset. */
export function condition(eb: AssetsBuilder, filter: SearchFilter, scope: SearchScope): Expression<SqlBool> {
  switch (filter.kind) {
    case 'name':
      return nameContains(normaliseKey(filter.text));
    case 'date':
      // Stored times are the photographer's wall clock ('YYYY-MM-DDTHH:mm:ss.sssZ'): a day is a
      // prefix, whatever the zone the photo was taken in.
      return eb.and([
        eb('assets.captured_at', '>=', filter.from),
        eb('assets.captured_at', '<', nextDay(filter.to)),
      ]);
    case 'month':
      return eb(
        sql`substr(${sql.ref('assets.captured_at')}, 6, 2)`,
        '=',
        String(filter.month).padStart(2, '0'),
      );
    case 'country':
      return placeIn(eb, 'country_code', filter.code.toUpperCase());
    case 'region':
      return placeIn(eb, 'region_key', normaliseKey(filter.name));
    case 'city':
      return placeIn(eb, 'city_key', normaliseKey(filter.name));
    case 'camera':
      return cameraIn(eb, 'key', normaliseKey(filter.label));
    case 'make':
      return cameraIn(eb, 'make_key', normaliseKey(filter.name));
    case 'type':
      switch (filter.type) {
        case 'photo':
          return eb('assets.mime_type', 'like', 'image/%');
        case 'video':
          return eb('assets.mime_type', 'like', 'video/%');
        case 'screenshot':
        case 'selfie':
          return eb.and([
            eb('assets.capture_kind', 'is not', null),
            eb('assets.capture_kind', '=', filter.type),
          ]);
      }
      break;
    case 'favorite':
      // A favourite is the owner's mark: others' photos in shared albums are not the caller's.
      return eb.and([eb('assets.owner_id', '=', scope.userId), eb('assets.favorited_at', 'is not', null)]);
    case 'album':
      return eb(
        'assets.id',
        'in',
        eb
          .selectFrom('album_assets')
          .select('album_assets.asset_id')
          .where((inner) =>
            inner(
              'album_assets.album_id',
              'in',
              visibleAlbumIds(scope.userId).where('albums.name', '=', filter.name),
            ),
          ),
      );
  }
}

/** All filters: one kind's filters widen (OR), kinds narrow (AND); file name words all narrow. */
function conditions(
  eb: AssetsBuilder,
  filters: readonly SearchFilter[],
  scope: SearchScope,
): Expression<SqlBool>[] {
  const byKind = new Map<string, SearchFilter[]>();
  const all: Expression<SqlBool>[] = [];
  for (const filter of filters) {
    if (filter.kind === 'name') {
      all.push(condition(eb, filter, scope));
      continue;
    }
    byKind.set(filter.kind, [...(byKind.get(filter.kind) ?? []), filter]);
  }
  for (const group of byKind.values()) {
    all.push(
      group.length === 1
        ? condition(eb, group[0] as SearchFilter, scope)
        : eb.or(group.map((filter) => condition(eb, filter, scope))),
    );
  }
  return all;
}

/** Above this many photos a word of a file name is common, and found by walking capture order. */
export const NAME_CANDIDATES_MAX = 2000;
/** Trigram indexes find nothing for shorter words: those are found by walking capture order. */
const TRIGRAM = 3;

export const isPostgres = (db: Db): boolean => dialectOf(db) === 'postgres';

/**
 * The user's assets whose file name may contain `text` (normalised), through the trigram index of
 * the dialect (migration 0007), or null when the word is too short for it or in more than
 * NAME_CANDIDATES_MAX names. The LIKE of `condition` stays the one definition of a match: the
 * index only narrows where to look, which is what makes a rare word as fast as a common one.
 */
async function nameCandidates(db: Db, scope: SearchScope, text: string): Promise<string[] | null> {
  if ([...text].length < TRIGRAM) return null;
  const rows = isPostgres(db)
    ? await db
        .selectFrom('assets')
        .select('id')
        .where((eb) => eb.and([inScope(eb, scope), nameContains(text)]))
        .limit(NAME_CANDIDATES_MAX + 1)
        .execute()
    : // Every owner's names are in the one FTS table: the page's query keeps the caller's.
      (
        await sql<{ id: string }>`select asset_name_rows.asset_id as id from asset_names
          join asset_name_rows on asset_name_rows.row = asset_names.rowid
          where asset_names match ${`"${text.replace(/"/g, '""')}"`}
          limit ${NAME_CANDIDATES_MAX + 1}`.execute(db)
      ).rows;
  return rows.length > NAME_CANDIDATES_MAX ? null : rows.map((row) => row.id);
}

/** The fewest assets that can match the query's file name words, or null: no narrowing. */
async function narrowByName(
  db: Db,
  scope: SearchScope,
  filters: readonly SearchFilter[],
): Promise<string[] | null> {
  let fewest: string[] | null = null;
  for (const filter of filters) {
    if (filter.kind !== 'name') continue;
    const candidates = await nameCandidates(db, scope, normaliseKey(filter.text));
    if (candidates !== null && (fewest === null || candidates.length < fewest.length)) fewest = candidates;
    if (fewest?.length === 0) break;
  }
  return fewest;
}

/** The query of one page of results, newest capture first, keyset-paged like the timeline. */
export function searchQuery(
  db: Db,
  scope: SearchScope,
  filters: readonly SearchFilter[],
  page: { after: KeysetCursor | null; limit: number },
  among: readonly string[] | null = null,
) {
  let query = db
    .selectFrom('assets')
    .select(ASSET_COLUMNS)
    .where((eb) =>
      eb.and([
        inScope(eb, scope),
        ...conditions(eb, filters, scope),
        ...(among === null ? [] : [eb('assets.id', 'in', among)]),
      ]),
    );
  const { after } = page;
  if (after !== null) {
    query = query.where((eb) => eb(eb.refTuple('captured_at', 'id'), '<', eb.tuple(after.key, after.id)));
  }
  return query
    .orderBy('captured_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
}

export async function searchAssets(
  db: Db,
  scope: SearchScope,
  filters: readonly SearchFilter[],
  page: { after: KeysetCursor | null; limit: number },
): Promise<AssetPage> {
  const among = await narrowByName(db, scope, filters);
  if (among?.length === 0) return toAssetPage([], page.limit);
  return toAssetPage(await searchQuery(db, scope, filters, page, among).execute(), page.limit);
}

export function phrasesOf(words: readonly string[]): string[] {
  const phrases = new Set<string>();
  for (let start = 0; start < words.length; start++) {
    for (let length = 1; length <= PHRASE_MAX && start + length <= words.length; length++) {
      phrases.add(words.slice(start, start + length).join(' '));
    }
  }
  return [...phrases];
}

/** Filters for the phrases that name a place or camera the user has photos from. */
export async function knownPhrases(
  db: Db,
  scope: SearchScope,
  phrases: readonly string[],
): Promise<Map<string, SearchFilter>> {
  const known = new Map<string, SearchFilter>();
  if (phrases.length === 0) return known;
  const places = await db
    .selectFrom('places')
    .select(['country_code', 'country_key', 'region', 'region_key', 'city', 'city_key'])
    .where((eb) =>
      eb.and([
        eb.or([
          eb('city_key', 'in', phrases),
          eb('region_key', 'in', phrases),
          eb('country_key', 'in', phrases),
        ]),
        hasAssetsAt(eb, scope),
      ]),
    )
    .execute();
  // A city before a region of the same name (New York), a region before a country.
  for (const place of places) {
    if (place.city_key !== null && place.city !== null && !known.has(place.city_key))
      known.set(place.city_key, { kind: 'city', name: place.city });
  }
  for (const place of places) {
    if (place.region_key !== null && place.region !== null && !known.has(place.region_key))
      known.set(place.region_key, { kind: 'region', name: place.region });
  }
  for (const place of places) {
    if (!known.has(place.country_key))
      known.set(place.country_key, { kind: 'country', code: place.country_code });
  }
  const cameras = await db
    .selectFrom('cameras')
    .select(['label', 'key', 'make', 'make_key', 'model'])
    .where((eb) =>
      eb.and([eb.or([eb('key', 'in', phrases), eb('make_key', 'in', phrases)]), hasAssetsWith(eb, scope)]),
    )
    .execute();
  for (const camera of cameras) {
    if (!known.has(camera.key)) known.set(camera.key, { kind: 'camera', label: camera.label });
    if (camera.make !== null && camera.make_key !== null && !known.has(camera.make_key))
      known.set(camera.make_key, { kind: 'make', name: camera.make });
  }
  // A model named without its make ("iphone 6" for "Apple iPhone 6").
  const byModel = await db
    .selectFrom('cameras')
    .select(['label', 'model'])
    .where((eb) => eb.and([eb('model', 'is not', null), hasAssetsWith(eb, scope)]))
    .execute();
  for (const camera of byModel) {
    const key = normaliseKey(camera.model ?? '');
    if (phrases.includes(key) && !known.has(key)) known.set(key, { kind: 'camera', label: camera.label });
  }
  for (const [key, name] of await albumNames(db, scope)) {
    if (phrases.includes(key) && !known.has(key)) known.set(key, { kind: 'album', name });
  }
  return known;
}

/**
 * Reads a query into the filters it asks for: tokens and dates (parseQuery), then the longest
 * phrases that name a place or camera the user has photos from, then file name words.
 */
export async function resolveQuery(db: Db, scope: SearchScope, query: string): Promise<SearchFilter[]> {
  const parsed = parseQuery(query);
  // An album token as typed (`album:summer`) names the album as stored ("Summer").
  const albums = parsed.filters.some((filter) => filter.kind === 'album')
    ? await albumNames(db, scope)
    : null;
  const filters = parsed.filters.map((filter): SearchFilter =>
    filter.kind === 'album'
      ? { kind: 'album', name: albums?.get(normaliseKey(filter.name)) ?? filter.name }
      : filter,
  );
  const known = await knownPhrases(db, scope, parsed.rest.flatMap(phrasesOf));
  for (const run of parsed.rest) {
    for (let start = 0; start < run.length;) {
      let matched = false;
      for (let length = Math.min(PHRASE_MAX, run.length - start); length >= 1; length--) {
        const filter = known.get(run.slice(start, start + length).join(' '));
        if (filter !== undefined) {
          filters.push(filter);
          start += length;
          matched = true;
          break;
        }
      }
      if (!matched) {
        filters.push({ kind: 'name', text: run[start] ?? '' });
        start += 1;
      }
    }
  }
  return dedupe(filters);
}

export function applied(filters: readonly SearchFilter[]): AppliedFilter[] {
  return filters.map((filter) => ({ filter, token: tokenOf(filter), label: labelOf(filter, countryName) }));
}

/**
 * The years the user has photos from, newest first: one seek a year down the timeline's index
 * (the latest capture before the year after), never a walk over the photos of a year.
 */
export async function yearsOf(db: Db, userId: string): Promise<string[]> {
  const years: string[] = [];
  let before = '9999-99';
  for (let guard = 0; guard < 500; guard++) {
    const row = await db
      .selectFrom('assets')
      .select((eb) => eb.fn.max('captured_at').as('latest'))
      .where('owner_id', '=', userId)
      .where('deleted_at', 'is', null)
      .where('captured_at', '<', before)
      .executeTakeFirst();
    const latest = row?.latest;
    if (typeof latest !== 'string') break;
    const year = latest.slice(0, 4);
    years.push(year);
    before = year;
  }
  return years;
}
