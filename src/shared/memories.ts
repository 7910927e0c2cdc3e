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
