/**
 * Suggestions as a search is typed (issue 17): completions of the query's last words among the
 * places, cameras, albums and years the caller has photos from, dates and types read from the
 * words themselves, and file names, each with how many photos it finds.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { SearchFilter, Suggestion, SuggestionsResponse } from '../../shared/search';
import { SUGGESTIONS_MAX } from '../../shared/search';
import { labelOf, normaliseKey, parseQuery, tokenOf } from '../../shared/search-query';
import type { Db } from '../db';
import { hasAssetsAt, hasAssetsWith, inScope, type SearchScope } from './scope';
import { dictionaryIds, DictionaryIds } from './dictionaries';
import { condition, countryName, escapeLike, isPostgres, PHRASE_MAX, yearsOf } from './search';

const NO_IDS = new DictionaryIds(new Map());

/** `column LIKE 'prefix%'`: the places and cameras tables are small, and LIKE means the same in both dialects. */
function startsWith(column: string, prefix: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${`${escapeLike(prefix)}%`} escape ${'\\'}`;
}

async function countWhere(
  db: Db,
  scope: SearchScope,
  filter: SearchFilter,
  ids: DictionaryIds = NO_IDS,
): Promise<number> {
  const row = await db
    .selectFrom('assets')
    .select((eb) => eb.fn.countAll().as('count'))
    .where((eb) => eb.and([inScope(eb, scope), condition(eb, filter, scope, ids)]))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** The code point after the last of `text`: [text, successor) is every string that starts with it. */
function successor(text: string): string | null {
  const points = [...text];
  while (points.length > 0) {
    const last = points.pop()?.codePointAt(0) ?? 0;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last + 1);
  }
  return null;
}

const nameInByteOrder = (db: Db) =>
  isPostgres(db)
    ? sql<string>`${sql.ref('assets.name_key')} collate "C"`
    : sql<string>`${sql.ref('assets.name_key')}`;

/**
 * `assets.name_key` starts with `prefix`, as a range of an index in byte order (migration 0007):
 * PostgreSQL compares in the "C" collation, which its index uses, SQLite in its default BINARY.
 */
function nameStartsWith(db: Db, prefix: string): Expression<SqlBool> {
  const key = nameInByteOrder(db);
  const end = successor(prefix);
  return end === null
    ? sql<SqlBool>`${key} >= ${prefix}`
    : sql<SqlBool>`${key} >= ${prefix} and ${key} < ${end}`;
}

const TYPE_SUGGESTIONS: { words: string[]; filter: SearchFilter }[] = [
  { words: ['favourites', 'favorites', 'starred'], filter: { kind: 'favorite' } },
  { words: ['photos', 'pictures'], filter: { kind: 'type', type: 'photo' } },
  { words: ['videos', 'movies'], filter: { kind: 'type', type: 'video' } },
  { words: ['screenshots'], filter: { kind: 'type', type: 'screenshot' } },
  { words: ['selfies'], filter: { kind: 'type', type: 'selfie' } },
];

/**
 * Completions of the query's last words (up to PHRASE_MAX of them, after the last token): places
 * and cameras the user has photos from, dates, years of the library, media types and file names.
 */
export async function suggest(db: Db, scope: SearchScope, query: string): Promise<SuggestionsResponse> {
  const words = query.endsWith(' ')
    ? []
    : (/(?:^|\s)((?:[^\s:]+\s+){0,3}[^\s:]+)$/u.exec(query)?.[1] ?? '').split(/\s+/);
  const results: Suggestion[] = [];
  let replaces = '';
  const seen = new Set<string>();
  const add = (suggestion: Omit<Suggestion, 'token' | 'label'>, tail: string): void => {
    const token = tokenOf(suggestion.filter);
    if (seen.has(token) || results.length >= SUGGESTIONS_MAX) return;
    seen.add(token);
    if (replaces === '') replaces = tail;
    results.push({ ...suggestion, token, label: labelOf(suggestion.filter, countryName) });
  };
  /** Counted only when it will be shown: each count reads the photos it counts (an index range). */
  const addCounted = async (
    filter: SearchFilter,
    detail: string,
    tail: string,
    ids: DictionaryIds = NO_IDS,
  ): Promise<void> => {
    if (results.length >= SUGGESTIONS_MAX || seen.has(tokenOf(filter))) return;
    add({ filter, detail, count: await countWhere(db, scope, filter, ids) }, tail);
  };

  for (let length = Math.min(words.length, PHRASE_MAX); length >= 1 && results.length === 0; length--) {
    const tailWords = words.slice(words.length - length);
    const tail = tailWords.join(' ');
    const phrase = normaliseKey(tail);
    if (phrase === '') continue;

    // Dates and types read from the phrase itself ("july 2019", "2019-07-14", "vid").
    const parsed = parseQuery(tail);
    if (parsed.rest.length === 0 && parsed.filters.length === 1 && parsed.filters[0] !== undefined) {
      const filter = parsed.filters[0];
      add(
        {
          filter,
          detail: filter.kind === 'type' ? 'Type' : 'Date',
          count: await countWhere(db, scope, filter),
        },
        tail,
      );
    }
    if (length === 1) {
      for (const type of TYPE_SUGGESTIONS) {
        if (type.words.some((word) => word.startsWith(phrase)))
          add(
            {
              filter: type.filter,
              detail: type.filter.kind === 'favorite' ? 'Photos you marked' : 'Type',
              count: null,
            },
            tail,
          );
      }
      if (/^\d{1,4}$/.test(phrase)) {
        const room = {
          from: phrase,
          before: successor(phrase) ?? '',
          limit: SUGGESTIONS_MAX - results.length,
        };
        for (const year of await yearsOf(db, scope.userId, room)) {
          const filter: SearchFilter = { kind: 'date', from: `${year}-01-01`, to: `${year}-12-31` };
          await addCounted(filter, 'Year', tail);
        }
      }
    }

    for (const [key, name] of scope.albums) {
      if (key.startsWith(phrase)) await addCounted({ kind: 'album', name }, 'Album', tail);
    }

    if (results.length < SUGGESTIONS_MAX) {
      for (const suggestion of await placeSuggestions(db, scope, phrase, SUGGESTIONS_MAX - results.length))
        add(suggestion, tail);
    }
    if (results.length < SUGGESTIONS_MAX) {
      const cameras = await cameraFilters(db, scope, phrase);
      const ids = await dictionaryIds(
        db,
        cameras.map(({ filter }) => filter),
      );
      for (const { filter, detail } of cameras) await addCounted(filter, detail, tail, ids);
    }
    if (length === 1 && phrase.length >= 2 && results.length < SUGGESTIONS_MAX) {
      const names = await db
        .selectFrom('assets')
        .select('filename')
        .where('owner_id', '=', scope.userId)
        .where('deleted_at', 'is', null)
        .where(nameStartsWith(db, phrase))
        .orderBy(nameInByteOrder(db))
        .limit(3)
        .execute();
      for (const { filename } of names)
        add({ filter: { kind: 'name', text: filename }, detail: 'File name', count: null }, tail);
    }
  }
  return { replaces, suggestions: results };
}

/** The places the scope has photos from whose city, region or country starts with `phrase`, counted. */
async function placeSuggestions(
  db: Db,
  scope: SearchScope,
  phrase: string,
  room: number,
): Promise<Omit<Suggestion, 'token' | 'label'>[]> {
  const places = await db
    .selectFrom('places')
    .select(['country_code', 'country', 'country_key', 'region', 'region_key', 'city', 'city_key'])
    .where((eb) =>
      eb.and([
        eb.or([
          startsWith('city_key', phrase),
          startsWith('region_key', phrase),
          startsWith('country_key', phrase),
        ]),
        hasAssetsAt(eb, scope),
      ]),
    )
    .limit(50)
    .execute();
  const found: { filter: SearchFilter; detail: string }[] = [];
  for (const place of places) {
    if (place.city !== null && place.city_key?.startsWith(phrase) === true)
      found.push({
        filter: { kind: 'city', name: place.city },
        detail: `City in ${countryName(place.country_code)}`,
      });
    if (place.region !== null && place.region_key?.startsWith(phrase) === true)
      found.push({
        filter: { kind: 'region', name: place.region },
        detail: `Region in ${countryName(place.country_code)}`,
      });
    if (place.country_key.startsWith(phrase))
      found.push({ filter: { kind: 'country', code: place.country_code }, detail: 'Country' });
  }
  const candidates = dedupePlaces(found);
  const ids = await dictionaryIds(
    db,
    candidates.map(({ filter }) => filter),
  );
  const counted = [];
  for (const { filter, detail } of candidates) {
    if (withoutTwins(counted).length >= room) break;
    counted.push({ filter, detail, count: await countWhere(db, scope, filter, ids) });
  }
  return withoutTwins(counted);
}

/** The cameras the scope has photos from whose label holds `phrase`, and makes that start with it. */
async function cameraFilters(
  db: Db,
  scope: SearchScope,
  phrase: string,
): Promise<{ filter: SearchFilter; detail: string }[]> {
  const cameras = await db
    .selectFrom('cameras')
    .select(['label', 'make', 'make_key'])
    .where((eb) =>
      eb.and([
        eb.or([
          sql<SqlBool>`${sql.ref('key')} like ${`%${escapeLike(phrase)}%`} escape ${'\\'}`,
          startsWith('make_key', phrase),
        ]),
        hasAssetsWith(eb, scope),
      ]),
    )
    .limit(20)
    .execute();
  const filters: { filter: SearchFilter; detail: string }[] = [];
  for (const { make, make_key, label } of cameras) {
    if (make !== null && make_key?.startsWith(phrase) === true)
      filters.push({ filter: { kind: 'make', name: make }, detail: 'Camera make' });
    filters.push({ filter: { kind: 'camera', label }, detail: 'Camera' });
  }
  return filters;
}

function dedupePlaces<T extends { filter: SearchFilter }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const token = tokenOf(item.filter);
    if (seen.has(token)) return false;
    seen.add(token);
    return true;
  });
}

/**
 * A region named as its city (Madrid, the city and the Community of Madrid) is the same
 * suggestion twice when it holds the same photos: only the city is kept. Where the region holds
 * more (photos from its other towns) both stay, told apart by their detail.
 */
function withoutTwins<T extends { filter: SearchFilter; count: number }>(items: readonly T[]): T[] {
  const cities = new Map<string, number>();
  for (const { filter, count } of items) {
    if (filter.kind === 'city') cities.set(normaliseKey(filter.name), count);
  }
  return items.filter(
    ({ filter, count }) => filter.kind !== 'region' || cities.get(normaliseKey(filter.name)) !== count,
  );
}
