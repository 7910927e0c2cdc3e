/**
 * The virtualised timeline's geometry, as pure functions: how many columns fit, where each day's
 * header and rows sit, and which rows are near the viewport. Everything is computed from the day
 * buckets, so the whole scroll height is known before any page of assets has loaded.
 */
import type { DayBucket } from '../shared/api';

export interface GridMetrics {
  columns: number;
  /** Side of a square tile, in CSS pixels. */
  tile: number;
  gap: number;
  headerHeight: number;
}

export interface GridOptions {
  gap?: number;
  headerHeight?: number;
  /** The smallest tile side before a column is dropped; phones get at least `minColumns`. */
  minTile?: number;
  minColumns?: number;
}

/** Columns and tile size for a grid `width` pixels wide. */
export function gridMetrics(width: number, options: GridOptions = {}): GridMetrics {
  const gap = options.gap ?? 4;
  const headerHeight = options.headerHeight ?? 48;
  const minTile = options.minTile ?? (width < 600 ? 96 : 160);
  const minColumns = options.minColumns ?? 3;
  const usable = Math.max(width, 1);
  const columns = Math.max(minColumns, Math.floor((usable + gap) / (minTile + gap)));
  const tile = Math.max(1, (usable - gap * (columns - 1)) / columns);
  return { columns, tile, gap, headerHeight };
}

export interface DaySection {
  day: string;
  count: number;
  /** Index in the timeline (newest first) of the day's first asset. */
  firstIndex: number;
  top: number;
  rows: number;
  height: number;
}

export interface TimelineLayout {
  sections: DaySection[];
  height: number;
  metrics: GridMetrics;
}

export function rowHeight(metrics: GridMetrics): number {
  return metrics.tile + metrics.gap;
}

export function layoutTimeline(days: readonly DayBucket[], metrics: GridMetrics): TimelineLayout {
  const sections: DaySection[] = [];
  let top = 0;
  let firstIndex = 0;
  for (const { day, count } of days) {
    const rows = Math.ceil(count / metrics.columns);
    const height = metrics.headerHeight + rows * rowHeight(metrics);
    sections.push({ day, count, firstIndex, top, rows, height });
    top += height;
    firstIndex += count;
  }
  return { sections, height: top, metrics };
}

/** The last section starting at or above `y` (binary search); -1 when there are none. */
export function sectionAt(layout: TimelineLayout, y: number): number {
  const { sections } = layout;
  let low = 0;
  let high = sections.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const section = sections[middle];
    if (section !== undefined && section.top <= y) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return sections.length === 0 ? -1 : Math.max(found, 0);
}

export type VisibleRow =
  | { kind: 'header'; key: string; top: number; day: string }
  | { kind: 'tiles'; key: string; top: number; day: string; firstIndex: number; count: number };

/** The headers and tile rows that overlap [top, bottom), in order. */
export function visibleRows(layout: TimelineLayout, top: number, bottom: number): VisibleRow[] {
  const rows: VisibleRow[] = [];
  const { columns, headerHeight } = layout.metrics;
  const step = rowHeight(layout.metrics);
  for (let s = sectionAt(layout, top); s >= 0 && s < layout.sections.length; s++) {
    const section = layout.sections[s];
    if (section === undefined || section.top >= bottom) break;
    if (section.top + headerHeight > top) {
      rows.push({ kind: 'header', key: `${section.day}:h`, top: section.top, day: section.day });
    }
    const rowsTop = section.top + headerHeight;
    const first = Math.max(0, Math.floor((top - rowsTop) / step));
    const last = Math.min(section.rows - 1, Math.floor((bottom - rowsTop - 1) / step));
    for (let r = first; r <= last; r++) {
      const firstIndex = section.firstIndex + r * columns;
      rows.push({
        kind: 'tiles',
        key: `${section.day}:${r}`,
        top: rowsTop + r * step,
        day: section.day,
        firstIndex,
        count: Math.min(columns, section.firstIndex + section.count - firstIndex),
      });
    }
  }
  return rows;
}

/** The section holding timeline index `index`; -1 when out of range. */
export function sectionOfIndex(layout: TimelineLayout, index: number): number {
  const { sections } = layout;
  let low = 0;
  let high = sections.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const section = sections[middle];
    if (section === undefined) return -1;
    if (index < section.firstIndex) high = middle - 1;
    else if (index >= section.firstIndex + section.count) low = middle + 1;
    else return middle;
  }
  return -1;
}

/** The top of the row that shows timeline index `index`, or null when out of range. */
export function topOfIndex(layout: TimelineLayout, index: number): number | null {
  const section = layout.sections[sectionOfIndex(layout, index)];
  if (section === undefined) return null;
  const row = Math.floor((index - section.firstIndex) / layout.metrics.columns);
  return section.top + layout.metrics.headerHeight + row * rowHeight(layout.metrics);
}

export interface MonthMark {
  /** `YYYY-MM`. */
  month: string;
  /** The newest day of the month that has assets. */
  day: string;
  count: number;
}

/** The months that have assets, newest first (for the month jump). */
export function monthsOf(days: readonly DayBucket[]): MonthMark[] {
  const months: MonthMark[] = [];
  for (const { day, count } of days) {
    const month = day.slice(0, 7);
    const last = months[months.length - 1];
    if (last?.month === month) last.count += count;
    else months.push({ month, day, count });
  }
  return months;
}

/** The largest `limit` GET /api/assets accepts. */
export const PAGE_LIMIT_MAX = 500;

/** "1:05" or "1:02:03" for a video's length; "" when unknown. */
export function durationLabel(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
