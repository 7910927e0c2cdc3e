/**
 * Search (issue 17): what the search box and `GET /api/search` agree on. A query is one string:
 * typed words ("paris july 2019 videos") and filter tokens (`city:Paris`, `type:video`,
 * `date:2019-07-01..2019-07-31`). The server reads the words into filters, answers with the
 * filters it applied, and the app shows each as a chip whose token it can remove or send back.
 * A new kind of filter (content labels) is one more member of SearchFilter and one more
 * token key.
 */
import type { Asset } from './api';

export type MediaType = 'photo' | 'video' | 'screenshot' | 'selfie';
export const MEDIA_TYPES: readonly MediaType[] = ['photo', 'video', 'screenshot', 'selfie'];

export type SearchFilter =
  /** Words of the file name. */
  | { kind: 'name'; text: string }
  /** Captured on these days of the photographer's calendar (wall-clock dates), both included. */
  | { kind: 'date'; from: string; to: string }
  /** Captured in this month (1–12) of any year. */
  | { kind: 'month'; month: number }
  | { kind: 'country'; code: string }
  | { kind: 'region'; name: string }
  | { kind: 'city'; name: string }
  /** A camera by its label ("Canon EOS 40D"), or every camera of a make. */
  | { kind: 'camera'; label: string }
  | { kind: 'make'; name: string }
  | { kind: 'type'; type: MediaType }
  /** The caller's own favourites. */
  | { kind: 'favorite' }
  /** In an album of this name that the caller owns or is a member of. */
  | { kind: 'album'; name: string };

export type SearchFilterKind = SearchFilter['kind'];

/** One page of results, newest capture first, with the filters the query was read as. */
export interface SearchResponse {
  items: Asset[];
  nextCursor: string | null;
  /** Each with its chip's label and its token (`city:Paris`). */
  filters: AppliedFilter[];
  /**
   * On a first page that found nothing: the query with its misspelt words corrected ("Arezzo
   * 2008" for "Arezo 2008"), when that finds something; otherwise null.
   */
  didYouMean: string | null;
}

export interface AppliedFilter {
  filter: SearchFilter;
  token: string;
  label: string;
}

/** A completion of the query's last words. */
export interface Suggestion {
  filter: SearchFilter;
  token: string;
  label: string;
  /** What it is, for the list: "City in Italy", "Camera", "Date". */
  detail: string;
  /** Matching photos and videos, where counted. */
  count: number | null;
}

export interface SuggestionsResponse {
  /** The words the suggestions complete (the end of the query), for the app to replace. */
  replaces: string;
  suggestions: Suggestion[];
}

export const SEARCH_QUERY_MAX = 500;
export const SUGGESTIONS_MAX = 8;
