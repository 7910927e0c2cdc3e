/**
 * "On this day" (issue 17): the photos taken on a calendar date in the years before it. Each
 * past year is one range of the timeline's index (`captured_at` is wall-clock time, so a day is
 * a prefix whatever the zone), found by the years' skip-scan: the cost is the photos of those
 * days, never the library's size.
 */
import { sql } from 'kysely';
import { ON_THIS_DAY_PER_YEAR, type OnThisDayResponse, type OnThisDayYear } from '../../shared/memories';
import type { Db } from '../db';
import { ASSET_COLUMNS, toAsset } from '../library/assets';
import { nextDay, yearsOf } from '../search/search';

/** Whether `YYYY-MM-DD` is a day of the calendar (not 2019-02-29). */
export function isCalendarDay(day: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === day;
}

export async function onThisDay(db: Db, userId: string, date: string): Promise<OnThisDayResponse> {
  const thisYear = Number(date.slice(0, 4));
  const days = (await yearsOf(db, userId))
    .filter((year) => Number(year) < thisYear)
    .map((year) => `${year}${date.slice(4)}`)
    .filter(isCalendarDay);
  if (days.length === 0) return { date, years: [] };

  const year = sql`substr(${sql.ref('captured_at')}, 1, 4)`;
  const ranked = db
    .selectFrom('assets')
    .select(ASSET_COLUMNS)
    .select([
      sql<number>`row_number() over (partition by ${year} order by ${sql.ref('captured_at')} desc, ${sql.ref('id')} desc)`.as(
        'rank',
      ),
      sql<number>`count(*) over (partition by ${year})`.as('total'),
    ])
    .where('owner_id', '=', userId)
    .where('deleted_at', 'is', null)
    // Archived photos are kept out of memories, as Google Photos does: that is what archiving is for.
    .where('archived_at', 'is', null)
    .where((eb) =>
      eb.or(days.map((day) => eb.and([eb('captured_at', '>=', day), eb('captured_at', '<', nextDay(day))]))),
    );
  const rows = await db
    .selectFrom(ranked.as('ranked'))
    .selectAll()
    .where('rank', '<=', ON_THIS_DAY_PER_YEAR)
    .orderBy('captured_at', 'desc')
    .orderBy('id', 'desc')
    .execute();

  const years = new Map<number, OnThisDayYear>();
  for (const row of rows) {
    const day = row.captured_at.slice(0, 10);
    const rowYear = Number(day.slice(0, 4));
    let entry = years.get(rowYear);
    if (entry === undefined) {
      entry = { year: rowYear, yearsAgo: thisYear - rowYear, count: Number(row.total), items: [], day };
      years.set(rowYear, entry);
    }
    entry.items.push(toAsset(row));
  }
  return { date, years: [...years.values()] };
}
