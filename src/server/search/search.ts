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
  hasAssetsAt,
  hasAssetsWith,
  inScope,
  visibleAlbumIds,
  type AssetsBuilder,
  type SearchScope,
} from './scope';
import {
  DictionaryIds,
  dictionaryIds,
  idIn,
  isDictionaryFilter,
  phraseIds,
  type DictionaryFilter,
} from './dictionaries';

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

const dictionaryColumn = (filter: DictionaryFilter) =>
  filter.kind === 'camera' || filter.kind === 'make' ? 'assets.camera_id' : 'assets.place_id';

/** The condition one filter puts on an asset; `ids` has the ids of its places or cameras. */
export function condition(
  eb: AssetsBuilder,
  filter: SearchFilter,
  scope: SearchScope,
  ids: DictionaryIds,
): Expression<SqlBool> {
  if (isDictionaryFilter(filter)) return idIn(eb, dictionaryColumn(filter), ids.of(filter));
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

/**
 * All filters: one kind's filters widen (OR; for places and cameras, one IN of all their ids),
 * kinds narrow (AND); file name words all narrow.
 */
function conditions(
  eb: AssetsBuilder,
  filters: readonly SearchFilter[],
  scope: SearchScope,
  ids: DictionaryIds,
): Expression<SqlBool>[] {
  const byKind = new Map<string, SearchFilter[]>();
  const all: Expression<SqlBool>[] = [];
  for (const filter of filters) {
    if (filter.kind === 'name') {
      all.push(condition(eb, filter, scope, ids));
      continue;
    }
    byKind.set(filter.kind, [...(byKind.get(filter.kind) ?? []), filter]);
  }
  for (const group of byKind.values()) {
    const [first] = group;
    if (first === undefined) continue;
    if (group.length === 1) all.push(condition(eb, first, scope, ids));
    else if (isDictionaryFilter(first))
      all.push(
        idIn(
          eb,
          dictionaryColumn(first),
          group.filter(isDictionaryFilter).flatMap((filter) => ids.of(filter)),
        ),
      );
    else all.push(eb.or(group.map((filter) => condition(eb, filter, scope, ids))));
  }
  return all;
}

/** Above this many photos a word of a file name is common, and found by walking capture order. */
export const NAME_CANDIDATES_MAX = 2000;
/** Trigram indexes find nothing for shorter words: those are found by walking capture order. */
const TRIGRAM = 3;

export const isPostgres = (db: Db): boolean => dialectOf(db) === 'postgres';

/** Where the photos whose file name may hold a word are, and how many there are at most. */
interface NameNarrowing {
  count: number;
  condition: (eb: AssetsBuilder) => Expression<SqlBool>;
}

/** An FTS5 query for `text` as one string (trigrams of it, in order), whatever it holds. */
const ftsPhrase = (text: string): string => `"${text.replace(/"/g, '""')}"`;

/**
 * Where the user's assets whose file name may contain `text` (normalised) are, through the trigram
 * index of the dialect (migration 0010), or null when the word is too short for it or in more than
 * NAME_CANDIDATES_MAX names. The LIKE of `condition` stays the one definition of a match: the
 * index only narrows where to look, which is what makes a rare word as fast as a common one.
 * PostgreSQL hands over the ids. SQLite counts the FTS table's matches (every owner's names are in
 * it) without reading them, and the page's query then looks them up itself: Kysely builds and
 * compiles a query with 1,000 ids written out in 0.8 ms (2,000: 1.4 ms), as long as SQLite takes
 * for the page, against 0.03 ms with the subquery.
 */
async function nameNarrowing(db: Db, scope: SearchScope, text: string): Promise<NameNarrowing | null> {
  if ([...text].length < TRIGRAM) return null;
  if (isPostgres(db)) {
    const rows = await db
      .selectFrom('assets')
      .select('id')
      .where((eb) => eb.and([inScope(eb, scope), nameContains(text)]))
      .limit(NAME_CANDIDATES_MAX + 1)
      .execute();
    const ids = rows.map((row) => row.id);
    return ids.length > NAME_CANDIDATES_MAX
      ? null
      : {
          count: ids.length,
          condition: (eb) => (ids.length === 0 ? sql<SqlBool>`1 = 0` : eb('assets.id', 'in', ids)),
        };
  }
  const phrase = ftsPhrase(text);
  const counted = await sql<{ count: number }>`select count(*) as count from (select rowid from asset_names
    where asset_names match ${phrase} limit ${NAME_CANDIDATES_MAX + 1})`.execute(db);
  const count = Number(counted.rows[0]?.count ?? 0);
  return count > NAME_CANDIDATES_MAX
    ? null
    : {
        count,
        condition:
          () => sql<SqlBool>`${sql.ref('assets.id')} in (select asset_name_rows.asset_id from asset_names
          join asset_name_rows on asset_name_rows.row = asset_names.rowid where asset_names match ${phrase})`,
      };
}

/** The narrowest index over the query's file name words, or null: no narrowing. */
async function narrowByName(
  db: Db,
  scope: SearchScope,
  filters: readonly SearchFilter[],
): Promise<NameNarrowing | null> {
  let fewest: NameNarrowing | null = null;
  for (const filter of filters) {
    if (filter.kind !== 'name') continue;
    const narrowing = await nameNarrowing(db, scope, normaliseKey(filter.text));
    if (narrowing !== null && (fewest === null || narrowing.count < fewest.count)) fewest = narrowing;
    if (fewest?.count === 0) break;
  }
  return fewest;
}

/** The query of one page of results, newest capture first, keyset-paged like the timeline. */
export function searchQuery(
  db: Db,
  scope: SearchScope,
  filters: readonly SearchFilter[],
  page: { after: KeysetCursor | null; limit: number },
  ids: DictionaryIds,
  among: NameNarrowing | null = null,
) {
  let query = db
    .selectFrom('assets')
    .select(ASSET_COLUMNS)
    .where((eb) =>
      eb.and([
        inScope(eb, scope),
        ...conditions(eb, filters, scope, ids),
        ...(among === null ? [] : [among.condition(eb)]),
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
  { filters, ids: known }: ReadQuery,
  page: { after: KeysetCursor | null; limit: number },
): Promise<AssetPage> {
  const among = await narrowByName(db, scope, filters);
  if (among?.count === 0) return toAssetPage([], page.limit);
  const ids = await dictionaryIds(db, filters, known);
  return toAssetPage(await searchQuery(db, scope, filters, page, ids, among).execute(), page.limit);
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
  return (await lookUpPhrases(db, scope, phrases)).known;
}

/** knownPhrases, with the ids of the places and cameras it read (see phraseIds). */
async function lookUpPhrases(
  db: Db,
  scope: SearchScope,
  phrases: readonly string[],
): Promise<{ known: Map<string, SearchFilter>; ids: DictionaryIds }> {
  const known = new Map<string, SearchFilter>();
  if (phrases.length === 0) return { known, ids: new DictionaryIds() };
  const places = await db
    .selectFrom('places')
    .select(['id', 'country_code', 'country_key', 'region', 'region_key', 'city', 'city_key'])
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
  // By label, make, or model named without its make ("iphone 6" for "Apple iPhone 6").
  const cameras = await db
    .selectFrom('cameras')
    .select(['id', 'label', 'key', 'make', 'make_key', 'model_key'])
    .where((eb) =>
      eb.and([
        eb.or([eb('key', 'in', phrases), eb('make_key', 'in', phrases), eb('model_key', 'in', phrases)]),
        hasAssetsWith(eb, scope),
      ]),
    )
    .execute();
  for (const camera of cameras) {
    if (!known.has(camera.key)) known.set(camera.key, { kind: 'camera', label: camera.label });
    if (camera.make !== null && camera.make_key !== null && !known.has(camera.make_key))
      known.set(camera.make_key, { kind: 'make', name: camera.make });
  }
  for (const camera of cameras) {
    if (camera.model_key !== null && !known.has(camera.model_key))
      known.set(camera.model_key, { kind: 'camera', label: camera.label });
  }
  for (const [key, name] of scope.albums) {
    if (phrases.includes(key) && !known.has(key)) known.set(key, { kind: 'album', name });
  }
  return { known, ids: phraseIds(phrases, places, cameras) };
}

/** A query as read: its filters, and the ids of the places and cameras already looked up. */
export interface ReadQuery {
  filters: SearchFilter[];
  ids: DictionaryIds;
}

/**
 * Reads a query into the filters it asks for: tokens and dates (parseQuery), then the longest
 * phrases that name a place or camera the user has photos from, then file name words.
 */
export async function resolveQuery(db: Db, scope: SearchScope, query: string): Promise<ReadQuery> {
  const parsed = parseQuery(query);
  // An album token as typed (`album:summer`) names the album as stored ("Summer").
  const filters = parsed.filters.map((filter): SearchFilter =>
    filter.kind === 'album'
      ? { kind: 'album', name: scope.albums.get(normaliseKey(filter.name)) ?? filter.name }
      : filter,
  );
  const { known, ids } = await lookUpPhrases(db, scope, parsed.rest.flatMap(phrasesOf));
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
  return { filters: dedupe(filters), ids };
}

export function applied(filters: readonly SearchFilter[]): AppliedFilter[] {
  return filters.map((filter) => ({ filter, token: tokenOf(filter), label: labelOf(filter, countryName) }));
}

/**
 * The years the user has photos from, newest first: one seek a year down the timeline's index
 * (the latest capture before the year after), never a walk over the photos of a year. Only those
 * captured in [from, before) when given (a year's prefix: ['201', '202') for the 2010s), and at
 * most `limit` of them.
 */
export async function yearsOf(
  db: Db,
  userId: string,
  { from = '', before = '9999-99', limit = 500 }: { from?: string; before?: string; limit?: number } = {},
): Promise<string[]> {
  const years: string[] = [];
  let end = before;
  while (years.length < limit) {
    const row = await db
      .selectFrom('assets')
      .select((eb) => eb.fn.max('captured_at').as('latest'))
      .where('owner_id', '=', userId)
      .where('deleted_at', 'is', null)
      .where('captured_at', '<', end)
      .executeTakeFirst();
    const latest = row?.latest;
    if (typeof latest !== 'string' || latest < from) break;
    const year = latest.slice(0, 4);
    years.push(year);
    end = year;
  }
  return years;
}
