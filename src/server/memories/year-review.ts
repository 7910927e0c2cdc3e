/**
 * A year in review (issue 17): a year's photos grouped by month, its places and its busiest day.
 * Every query is a range of the timeline's index (`owner_id, captured_at`) over that one year, so
 * the cost is the year's photos, never the library's.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import {
  YEAR_REVIEW_PER_MONTH,
  YEAR_REVIEW_PLACES,
  type YearReview,
  type YearReviewMonth,
  type YearReviewPlace,
  type YearsResponse,
} from '../../shared/memories';
import type { SearchFilter } from '../../shared/search';
import { tokenOf } from '../../shared/search-query';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { ASSET_COLUMNS, toAsset } from '../library/assets';
import { countryName, nextDay } from '../search/search';

const pad = (value: number): string => String(value).padStart(2, '0');
const yearText = (year: number): string => String(year).padStart(4, '0');

function lastDayOf(year: number, month: number): string {
  return `${yearText(year)}-${pad(month)}-${pad(new Date(Date.UTC(year, month, 0)).getUTCDate())}`;
}

const dateQuery = (from: string, to: string): string => tokenOf({ kind: 'date', from, to });

/** The user's photos and videos (not the trash) captured in `year`, on the photographer's calendar. */
function inYear(
  eb: ExpressionBuilder<Database, 'assets'>,
  userId: string,
  year: number,
): Expression<SqlBool> {
  return eb.and([
    eb('assets.owner_id', '=', userId),
    eb('assets.deleted_at', 'is', null),
    // Archived photos are kept out of memories (on-this-day.ts).
    eb('assets.archived_at', 'is', null),
    eb('assets.captured_at', '>=', `${yearText(year)}-01-01`),
    eb('assets.captured_at', '<', nextDay(`${yearText(year)}-12-31`)),
  ]);
}

function placeOf(row: { country_code: string; region: string | null; city: string | null }): {
  filter: SearchFilter;
  label: string;
  detail: string | null;
} {
  const country = countryName(row.country_code);
  if (row.city !== null) {
    return {
      filter: { kind: 'city', name: row.city },
      label: row.city,
      detail: [row.region, country].filter((part) => part !== null && part !== row.city).join(', '),
    };
  }
  if (row.region !== null) {
    return { filter: { kind: 'region', name: row.region }, label: row.region, detail: country };
  }
  return { filter: { kind: 'country', code: row.country_code }, label: country, detail: null };
}

export async function yearReview(db: Db, userId: string, year: number): Promise<YearReview> {
  const wholeYear = dateQuery(`${yearText(year)}-01-01`, `${yearText(year)}-12-31`);

  const totals = await db
    .selectFrom('assets')
    .select((eb) => [
      eb.fn.countAll().as('count'),
      eb.fn
        .sum<number | string | null>(
          eb.case().when('assets.mime_type', 'like', 'video/%').then(1).else(0).end(),
        )
        .as('videos'),
    ])
    .where((eb) => inYear(eb, userId, year))
    .executeTakeFirst();
  const count = Number(totals?.count ?? 0);
  const videos = Number(totals?.videos ?? 0);

  // A few photos a month, spread over it: of a month's n photos in capture order, those whose
  // place (rank - 1) * k / n begins a new k-th of the month.
  const month = sql`substr(${sql.ref('captured_at')}, 6, 2)`;
  const ranked = db
    .selectFrom('assets')
    .select(ASSET_COLUMNS)
    .select([
      sql<string>`${month}`.as('month'),
      sql<number>`row_number() over (partition by ${month} order by ${sql.ref('captured_at')}, ${sql.ref('id')})`.as(
        'rank',
      ),
      sql<number>`count(*) over (partition by ${month})`.as('total'),
    ])
    .where((eb) => inYear(eb, userId, year));
  const sampled = await db
    .selectFrom(ranked.as('ranked'))
    .selectAll()
    .where(
      sql<SqlBool>`((${sql.ref('rank')} - 1) * ${YEAR_REVIEW_PER_MONTH}) % ${sql.ref('total')} < ${YEAR_REVIEW_PER_MONTH}`,
    )
    .orderBy('captured_at')
    .orderBy('id')
    .execute();
  const months = new Map<number, YearReviewMonth>();
  for (const row of sampled) {
    const number = Number(row.month);
    let entry = months.get(number);
    if (entry === undefined) {
      entry = {
        month: number,
        count: Number(row.total),
        items: [],
        query: dateQuery(`${yearText(year)}-${pad(number)}-01`, lastDayOf(year, number)),
      };
      months.set(number, entry);
    }
    entry.items.push(toAsset(row));
  }

  const placeRows = await db
    .selectFrom('assets')
    .innerJoin('places', 'places.id', 'assets.place_id')
    .select((eb) => [
      'places.id',
      'places.country_code',
      'places.region',
      'places.city',
      eb.fn.countAll().as('count'),
    ])
    .where((eb) => inYear(eb, userId, year))
    .groupBy(['places.id', 'places.country_code', 'places.region', 'places.city'])
    .orderBy('count', 'desc')
    .orderBy('places.id')
    .limit(YEAR_REVIEW_PLACES)
    .execute();
  const places: YearReviewPlace[] = placeRows.map((row) => {
    const place = placeOf(row);
    return {
      label: place.label,
      detail: place.detail === '' ? null : place.detail,
      count: Number(row.count),
      query: `${tokenOf(place.filter)} ${wholeYear}`,
    };
  });

  const day = sql<string>`substr(${sql.ref('captured_at')}, 1, 10)`;
  const busiest = await db
    .selectFrom('assets')
    .select((eb) => [day.as('day'), eb.fn.countAll().as('count')])
    .where((eb) => inYear(eb, userId, year))
    .groupBy(day)
    .orderBy('count', 'desc')
    .orderBy('day')
    .limit(1)
    .executeTakeFirst();

  return {
    year,
    count,
    photos: count - videos,
    videos,
    months: [...months.values()].sort((a, b) => a.month - b.month),
    places,
    busiestDay:
      busiest === undefined
        ? null
        : { day: busiest.day, count: Number(busiest.count), query: dateQuery(busiest.day, busiest.day) },
    query: wholeYear,
  };
}

/**
 * The years the user has photos from, newest first, each with its latest photo: one seek a year
 * down the timeline's index (the latest capture before the year after), never a count.
 */
export async function reviewYears(db: Db, userId: string): Promise<YearsResponse> {
  const years: YearsResponse['years'] = [];
  let before = '9999-99';
  for (let guard = 0; guard < 500; guard++) {
    const latest = await db
      .selectFrom('assets')
      .select(ASSET_COLUMNS)
      .where('owner_id', '=', userId)
      .where('deleted_at', 'is', null)
      .where('archived_at', 'is', null)
      .where('captured_at', '<', before)
      .orderBy('captured_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (latest === undefined) break;
    before = latest.captured_at.slice(0, 4);
    years.push({ year: Number(before), cover: toAsset(latest) });
  }
  return { years };
}
