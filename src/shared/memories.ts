/**
 * Memories (issue 17): "On this day", the photos taken on today's date in past years, shown at
 * the top of the Library. Today is the app's (the person's) calendar day, sent by the app: the
 * server cannot know the zone the person is in.
 */
import type { Asset } from './api';

/** Photos shown per year; the rest are one search away (`date:YYYY-MM-DD`). */
export const ON_THIS_DAY_PER_YEAR = 6;

export interface OnThisDayYear {
  year: number;
  /** Years before the asked date. */
  yearsAgo: number;
  /** Photos and videos captured that day. */
  count: number;
  /** The first ON_THIS_DAY_PER_YEAR of them, newest first. */
  items: Asset[];
  /** The day (`YYYY-MM-DD`), to search for all of them. */
  day: string;
}

export interface OnThisDayResponse {
  /** The date asked about (`YYYY-MM-DD`). */
  date: string;
  /** Past years with photos on that date, the most recent first; empty when there are none. */
  years: OnThisDayYear[];
}

/** Photos shown per month of a year in review, spread over the month. */
export const YEAR_REVIEW_PER_MONTH = 4;
/** Places named in a year in review, the most photographed first. */
export const YEAR_REVIEW_PLACES = 6;

/** A month of a year in review. */
export interface YearReviewMonth {
  /** 1–12. */
  month: number;
  count: number;
  /** Up to YEAR_REVIEW_PER_MONTH of its photos, spread over the month, in capture order. */
  items: Asset[];
  /** The search that shows all of them (`date:2019-07-01..2019-07-31`). */
  query: string;
}

/** A place of a year in review: a city (or the region or country, where no city is known). */
export interface YearReviewPlace {
  label: string;
  /** Where it is ("Tuscany, Italy"), or null for a country. */
  detail: string | null;
  count: number;
  /** The search that shows that place's photos of that year. */
  query: string;
}

/**
 * A year in review (`GET /api/memories/years/:year`): the year's photos and videos grouped by
 * month, the places photographed most, and the busiest day. A year without photos has count 0.
 */
export interface YearReview {
  year: number;
  count: number;
  photos: number;
  videos: number;
  /** Months with photos, January first. */
  months: YearReviewMonth[];
  places: YearReviewPlace[];
  /** The day with the most photos (the first such day on a tie), or null for an empty year. */
  busiestDay: { day: string; count: number; query: string } | null;
  /** The search for the whole year. */
  query: string;
}

/** `GET /api/memories/years`: the years with photos, newest first, each with its latest photo. */
export interface YearsResponse {
  years: { year: number; cover: Asset }[];
}
