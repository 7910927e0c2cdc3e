/**
 * Reads a search query (src/shared/search.ts): filter tokens (`city:Paris`), then dates, ranges and
 * media types in the typed words. What is left is for the server to look up (places, cameras) or
 * to match against file names. Pure and synchronous: the server and the app read queries alike.
 */
import { MEDIA_TYPES, type MediaType, type SearchFilter } from './search';

export interface ParsedQuery {
  filters: SearchFilter[];
  /** Runs of consecutive words no grammar took, in order ("new york" stays one run). */
  rest: string[][];
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
export const MONTH_NAMES = MONTHS.map((month) => month[0]?.toUpperCase() + month.slice(1));

/** Meteorological seasons of the northern hemisphere: [first month, months long]. */
const SEASONS: Record<string, [number, number]> = {
  spring: [3, 3],
  summer: [6, 3],
  autumn: [9, 3],
  fall: [9, 3],
  winter: [12, 3],
};

const TYPE_WORDS: Record<string, MediaType> = {
  photo: 'photo',
  photos: 'photo',
  picture: 'photo',
  pictures: 'photo',
  video: 'video',
  videos: 'video',
  movie: 'video',
  movies: 'video',
  screenshot: 'screenshot',
  screenshots: 'screenshot',
  selfie: 'selfie',
  selfies: 'selfie',
};

/** Words that ask for the caller's favourites. */
const FAVORITE_WORDS = new Set(['favorite', 'favorites', 'favourite', 'favourites', 'starred']);

/** The words the grammar reads (months, seasons, media types), for correcting a misspelt one. */
export const KEYWORDS: readonly string[] = [
  ...MONTHS,
  ...Object.keys(SEASONS),
  ...Object.keys(TYPE_WORDS),
  ...FAVORITE_WORDS,
];

const FIRST_DAY = '0001-01-01';
const LAST_DAY = '9999-12-31';

/** Lower case, accents and marks removed, spaces collapsed: how names are compared. */
export function normaliseKey(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

const pad = (value: number, length = 2): string => String(value).padStart(length, '0');

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isDay(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const day = (year: number, month: number, dayOfMonth: number): string =>
  `${pad(year, 4)}-${pad(month)}-${pad(dayOfMonth)}`;

interface Span {
  from: string;
  to: string;
}

function yearSpan(year: number): Span {
  return { from: day(year, 1, 1), to: day(year, 12, 31) };
}

function monthSpan(year: number, month: number): Span {
  return { from: day(year, month, 1), to: day(year, month, daysInMonth(year, month)) };
}

function seasonSpan(year: number, [first, length]: [number, number]): Span {
  const lastMonth = first + length - 1;
  const endYear = year + Math.floor((lastMonth - 1) / 12);
  const endMonth = ((lastMonth - 1) % 12) + 1;
  return { from: day(year, first, 1), to: day(endYear, endMonth, daysInMonth(endYear, endMonth)) };
}

function asYear(word: string | undefined): number | null {
  if (word === undefined || !/^\d{4}$/.test(word)) return null;
  const year = Number(word);
  return year >= 1800 && year <= 2200 ? year : null;
}

/** A month's full name, its three-letter abbreviation, or "sept". */
function asMonth(word: string | undefined): number | null {
  if (word === undefined) return null;
  const index = MONTHS.findIndex(
    (month) => month === word || month.slice(0, 3) === word || (word === 'sept' && month === 'september'),
  );
  return index === -1 ? null : index + 1;
}

function asDayOfMonth(word: string | undefined): number | null {
  const match = word === undefined ? null : /^(\d{1,2})(st|nd|rd|th)?$/.exec(word);
  if (match === null) return null;
  const value = Number(match[1]);
  return value >= 1 && value <= 31 ? value : null;
}

interface DateMatch {
  span: Span;
  /** Words taken. */
  length: number;
  /** A month with no year: any year (only where a whole date is not needed). */
  monthOnly?: number;
}

/** A date at `words[at]`: a day, a month, a season or a year, the longest reading first. */
function readDate(words: readonly string[], at: number): DateMatch | null {
  const word = words[at];
  if (word === undefined) return null;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(word);
  if (match !== null) {
    const [year, month, dayOfMonth] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (!isDay(year, month, dayOfMonth)) return null;
    const iso = day(year, month, dayOfMonth);
    return { span: { from: iso, to: iso }, length: 1 };
  }
  match = /^(\d{4})-(\d{2})$/.exec(word);
  if (match !== null) {
    const [year, month] = [Number(match[1]), Number(match[2])];
    return month >= 1 && month <= 12 ? { span: monthSpan(year, month), length: 1 } : null;
  }
  const year = asYear(word);
  if (year !== null) return { span: yearSpan(year), length: 1 };

  const season = SEASONS[word];
  if (season !== undefined) {
    const seasonYear = asYear(words[at + 1]);
    return seasonYear === null ? null : { span: seasonSpan(seasonYear, season), length: 2 };
  }

  // "14 july 2019"
  const leadingDay = asDayOfMonth(word);
  if (leadingDay !== null) {
    const month = asMonth(words[at + 1]);
    const monthYear = asYear(words[at + 2]);
    if (month === null || monthYear === null || !isDay(monthYear, month, leadingDay)) return null;
    const iso = day(monthYear, month, leadingDay);
    return { span: { from: iso, to: iso }, length: 3 };
  }

  const month = asMonth(word);
  if (month === null) return null;
  // "july 14 2019", "july 2019", "july"
  const trailingDay = asDayOfMonth(words[at + 1]);
  if (trailingDay !== null) {
    const dayYear = asYear(words[at + 2]);
    if (dayYear !== null && isDay(dayYear, month, trailingDay)) {
      const iso = day(dayYear, month, trailingDay);
      return { span: { from: iso, to: iso }, length: 3 };
    }
  }
  const monthYear = asYear(words[at + 1]);
  if (monthYear !== null) return { span: monthSpan(monthYear, month), length: 2 };
  return { span: monthSpan(2000, month), length: 1, monthOnly: month };
}

const RANGE_WORDS = new Set(['to', 'until', 'till', '-', '–', '—', '..', 'and']);

/** A date filter at `words[at]`: a range ("2018 to 2019", "between … and …", "since 2019") or one date. */
function readDateFilter(
  words: readonly string[],
  at: number,
): { filter: SearchFilter; length: number } | null {
  const word = words[at];
  if (word === undefined) return null;
  const match =
    /^(\d{4}(?:-\d{2}){0,2})(?:\.\.|–|—)(\d{4}(?:-\d{2}){0,2})$/.exec(word) ?? /^(\d{4})-(\d{4})$/.exec(word);
  if (match !== null) {
    const first = readDate([match[1] ?? ''], 0);
    const last = readDate([match[2] ?? ''], 0);
    if (first !== null && last !== null && first.span.from <= last.span.to) {
      return { filter: { kind: 'date', from: first.span.from, to: last.span.to }, length: 1 };
    }
    return null;
  }
  if (word === 'since' || word === 'after' || word === 'before' || word === 'until') {
    const bound = readDate(words, at + 1);
    if (bound === null || bound.monthOnly !== undefined) return null;
    const span =
      word === 'since'
        ? { from: bound.span.from, to: LAST_DAY }
        : word === 'after'
          ? { from: nextDay(bound.span.to), to: LAST_DAY }
          : word === 'before'
            ? { from: FIRST_DAY, to: previousDay(bound.span.from) }
            : { from: FIRST_DAY, to: bound.span.to };
    return { filter: { kind: 'date', ...span }, length: 1 + bound.length };
  }
  const opener = word === 'between' || word === 'from' ? 1 : 0;
  const first = readDate(words, at + opener);
  if (first === null) return null;
  const joiner = words[at + opener + first.length];
  if (joiner !== undefined && RANGE_WORDS.has(joiner) && (joiner !== 'and' || word === 'between')) {
    const last = readDate(words, at + opener + first.length + 1);
    if (last !== null && first.monthOnly === undefined && last.monthOnly === undefined) {
      if (first.span.from <= last.span.to) {
        return {
          filter: { kind: 'date', from: first.span.from, to: last.span.to },
          length: opener + first.length + 1 + last.length,
        };
      }
    }
  }
  if (opener === 1) return null;
  if (first.monthOnly !== undefined) return { filter: { kind: 'month', month: first.monthOnly }, length: 1 };
  return { filter: { kind: 'date', ...first.span }, length: first.length };
}

function shiftDay(iso: string, days: number): string {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
const nextDay = (iso: string): string => (iso >= LAST_DAY ? LAST_DAY : shiftDay(iso, 1));
const previousDay = (iso: string): string => (iso <= FIRST_DAY ? FIRST_DAY : shiftDay(iso, -1));

/** Values of `key:value` tokens that name a filter. */
function filterFromToken(key: string, value: string): SearchFilter | null {
  switch (key) {
    case 'name':
      return value === '' ? null : { kind: 'name', text: value };
    case 'date': {
      const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(value);
      const from = range?.[1] ?? value;
      const to = range?.[2] ?? value;
      const first = readDate([from], 0);
      const last = readDate([to], 0);
      if (first === null || last === null || first.span.from > last.span.to) return null;
      return { kind: 'date', from: first.span.from, to: last.span.to };
    }
    case 'month': {
      const month = Number(value);
      return Number.isInteger(month) && month >= 1 && month <= 12 ? { kind: 'month', month } : null;
    }
    case 'country':
      return /^[A-Za-z]{2}$/.test(value) ? { kind: 'country', code: value.toUpperCase() } : null;
    case 'region':
      return value === '' ? null : { kind: 'region', name: value };
    case 'city':
      return value === '' ? null : { kind: 'city', name: value };
    case 'camera':
      return value === '' ? null : { kind: 'camera', label: value };
    case 'make':
      return value === '' ? null : { kind: 'make', name: value };
    case 'type':
      return (MEDIA_TYPES as readonly string[]).includes(value)
        ? { kind: 'type', type: value as MediaType }
        : null;
    case 'is':
      return FAVORITE_WORDS.has(value.toLowerCase()) ? { kind: 'favorite' } : null;
    case 'album':
      return value === '' ? null : { kind: 'album', name: value };
    default:
      return null;
  }
}

const quote = (value: string): string => (/^[^\s"]+$/.test(value) ? value : `"${value.replace(/"/g, '')}"`);

/** The token that stands for a filter in a query (the inverse of reading it). */
export function tokenOf(filter: SearchFilter): string {
  switch (filter.kind) {
    case 'name':
      return `name:${quote(filter.text)}`;
    case 'date':
      return `date:${filter.from === filter.to ? filter.from : `${filter.from}..${filter.to}`}`;
    case 'month':
      return `month:${filter.month}`;
    case 'country':
      return `country:${filter.code}`;
    case 'region':
      return `region:${quote(filter.name)}`;
    case 'city':
      return `city:${quote(filter.name)}`;
    case 'camera':
      return `camera:${quote(filter.label)}`;
    case 'make':
      return `make:${quote(filter.name)}`;
    case 'type':
      return `type:${filter.type}`;
    case 'favorite':
      return 'is:favorite';
    case 'album':
      return `album:${quote(filter.name)}`;
  }
}

const TYPE_LABELS: Record<MediaType, string> = {
  photo: 'Photos',
  video: 'Videos',
  screenshot: 'Screenshots',
  selfie: 'Selfies',
};

function dateLabel(from: string, to: string): string {
  const [fromYear, fromMonth, fromDay] = from.split('-').map(Number) as [number, number, number];
  const [toYear, toMonth, toDay] = to.split('-').map(Number) as [number, number, number];
  if (from === FIRST_DAY) return `Until ${dateLabel(to, to)}`;
  if (to === LAST_DAY) return `Since ${dateLabel(from, from)}`;
  const monthName = (month: number): string => MONTH_NAMES[month - 1] ?? '';
  if (from === to) return `${fromDay} ${monthName(fromMonth)} ${fromYear}`;
  const wholeMonths = fromDay === 1 && toDay === daysInMonth(toYear, toMonth);
  if (wholeMonths && fromMonth === 1 && toMonth === 12)
    return fromYear === toYear ? String(fromYear) : `${fromYear}–${toYear}`;
  if (wholeMonths && fromYear === toYear && fromMonth === toMonth)
    return `${monthName(fromMonth)} ${fromYear}`;
  if (wholeMonths) {
    for (const [name, season] of Object.entries(SEASONS)) {
      if (name === 'fall') continue;
      const span = seasonSpan(fromYear, season);
      if (span.from === from && span.to === to)
        return `${name[0]?.toUpperCase()}${name.slice(1)} ${fromYear}`;
    }
    return `${monthName(fromMonth)} ${fromYear} – ${monthName(toMonth)} ${toYear}`;
  }
  return `${dateLabel(from, from)} – ${dateLabel(to, to)}`;
}

/** The chip's words for a filter; `countryName` names a country code (the app's language). */
export function labelOf(
  filter: SearchFilter,
  countryName: (code: string) => string = (code) => code,
): string {
  switch (filter.kind) {
    case 'name':
      return `“${filter.text}”`;
    case 'date':
      return dateLabel(filter.from, filter.to);
    case 'month':
      return MONTH_NAMES[filter.month - 1] ?? String(filter.month);
    case 'country':
      return countryName(filter.code);
    case 'region':
      return filter.name;
    case 'city':
      return filter.name;
    case 'camera':
      return filter.label;
    case 'make':
      return filter.name;
    case 'type':
      return TYPE_LABELS[filter.type];
    case 'favorite':
      return 'Favourites';
    case 'album':
      return filter.name;
  }
}

const TOKEN = /([a-z]+):(?:"([^"]*)"?|(\S+))/gy;

/** Splits a query into its tokens' filters and the runs of other words, and reads those words' dates and types. */
export function parseQuery(query: string): ParsedQuery {
  const filters: SearchFilter[] = [];
  const runs: string[][] = [[]];
  const text = query.slice(0, 2000);
  let at = 0;
  while (at < text.length) {
    const space = /\s+/y;
    space.lastIndex = at;
    if (space.test(text)) {
      at = space.lastIndex;
      continue;
    }
    TOKEN.lastIndex = at;
    const token = TOKEN.exec(text);
    if (token !== null) {
      const filter = filterFromToken(token[1] ?? '', (token[2] ?? token[3] ?? '').trim());
      if (filter !== null) {
        filters.push(filter);
        runs.push([]);
        at = TOKEN.lastIndex;
        continue;
      }
    }
    const word = /\S+/y;
    word.lastIndex = at;
    word.test(text);
    const value = text.slice(at, word.lastIndex);
    at = word.lastIndex;
    runs.at(-1)?.push(value);
  }

  const rest: string[][] = [];
  for (const run of runs) {
    // Commas and full stops at a word's end are punctuation ("July 14, 2019."); inside they are not.
    const words = run
      .map((value) => normaliseKey(value).replace(/[,.;!?]+$/, ''))
      .filter((value) => value !== '');
    let left: string[] = [];
    for (let index = 0; index < words.length;) {
      const date = readDateFilter(words, index);
      const type = TYPE_WORDS[words[index] ?? ''];
      const favorite = FAVORITE_WORDS.has(words[index] ?? '');
      if (date !== null || type !== undefined || favorite) {
        if (left.length > 0) rest.push(left);
        left = [];
        if (date !== null) {
          filters.push(date.filter);
          index += date.length;
        } else if (type !== undefined) {
          filters.push({ kind: 'type', type });
          index += 1;
        } else {
          filters.push({ kind: 'favorite' });
          index += 1;
        }
        continue;
      }
      left.push(words[index] ?? '');
      index += 1;
    }
    if (left.length > 0) rest.push(left);
  }
  return { filters: dedupe(filters), rest };
}

/** One of each filter, the first kept. */
export function dedupe(filters: readonly SearchFilter[]): SearchFilter[] {
  const seen = new Set<string>();
  return filters.filter((filter) => {
    const token = tokenOf(filter);
    if (seen.has(token)) return false;
    seen.add(token);
    return true;
  });
}
