import type { Asset, DayBucket } from '../shared/api';

/**
 * What a timeline shows, wherever it comes from (the library, an album, search results): days with
 * counts, which size the whole timeline at once, and assets by timeline index, loaded lazily. The
 * library store is one; anything with these members can feed TimelineGrid.
 */
export interface TimelineSource {
  /** Newest first; the days' counts add up to `total`. */
  readonly days: readonly DayBucket[];
  /** Timeline index → asset, undefined until its page has loaded. */
  readonly slots: readonly (Asset | undefined)[];
  readonly total: number;
  readonly loaded: boolean;
  /** Asks for [start, end) to be loaded soon (the latest ask wins); the view calls it as it scrolls. */
  ensureRange(start: number, end: number): void;
  /** Loads all of [start, end) and answers the ids, in order (selecting a day, or everything). */
  loadRange(start: number, end: number): Promise<string[]>;
  /** Asks again about the asset at `index` (its preview was still being made). */
  refresh(index: number): Promise<void>;
}
