/**
 * The virtualised timeline's geometry, as pure functions: a justified layout (as Google Photos and
 * Immich draw it) in which every photo keeps its aspect ratio, each row fills the width, and days
 * with a few photos share a row, each under its own date. The whole scroll height is known from
 * the day buckets before any page of assets has loaded: an asset not loaded yet counts with an
 * estimated shape, and the rows around it are laid again once it arrives.
 */
import type { DayBucket } from '../shared/api';

export interface LayoutOptions {
  /** Width of the timeline, in CSS pixels. */
  width: number;
  /** The height rows aim for; a justified row ends a little taller. */
  rowHeight: number;
  /** Space between tiles and between rows. */
  gap: number;
  /** Height of the date line above a row that starts a day. */
  headerHeight: number;
  /** Space between two days that share a row. */
  dayGap: number;
}

/** Row height and gaps for a timeline `width` pixels wide: smaller photos on a phone. */
export function layoutOptions(width: number): LayoutOptions {
  const phone = width < 600;
  return {
    width: Math.max(width, 1),
    rowHeight: phone ? 120 : 200,
    gap: phone ? 2 : 4,
    headerHeight: 48,
    dayGap: phone ? 12 : 24,
  };
}

/** Aspect ratios outside this range are cropped to it in the grid (panoramas, slivers). */
export const MIN_ASPECT = 0.5;
export const MAX_ASPECT = 3;
/** The shape of an asset not loaded yet (most photos are 4:3 or 3:2). */
export const ESTIMATED_ASPECT = 1.4;

/** A day's date line, above the first row of the day, at `left` in that row. */
export interface DayHeader {
  day: string;
  left: number;
  width: number;
  firstIndex: number;
  count: number;
}

/** One row of tiles: a contiguous run of timeline indices (one day, or several small ones). */
export interface TimelineRow {
  /** Top of the tiles. */
  top: number;
  height: number;
  firstIndex: number;
  count: number;
  /** The days starting in this row; their date line is the `headerHeight` above `top`. */
  headers: DayHeader[];
}

export interface DaySection {
  day: string;
  count: number;
  /** Index in the timeline (newest first) of the day's first asset. */
  firstIndex: number;
  /** Top of the day's date line. */
  top: number;
  /** Bottom of the day's last row. */
  bottom: number;
}

export interface TimelineLayout {
  rows: TimelineRow[];
  sections: DaySection[];
  /** Left edge and width of each tile, by timeline index (flat: a library has 100,000 of them). */
  lefts: Float64Array;
  widths: Float64Array;
  height: number;
  options: LayoutOptions;
}

const clampAspect = (aspect: number): number => Math.min(MAX_ASPECT, Math.max(MIN_ASPECT, aspect));

/**
 * Lays out the timeline. `aspectAt(index)` is an asset's width / height, or undefined when it is
 * not known (not loaded, or no dimensions): it then counts as ESTIMATED_ASPECT. Built to be run
 * again each time a page of assets arrives: one pass, and no allocation per tile.
 */
export function layoutTimeline(
  days: readonly DayBucket[],
  aspectAt: (index: number) => number | undefined,
  options: LayoutOptions,
): TimelineLayout {
  const { width, rowHeight, gap, headerHeight, dayGap } = options;
  const total = days.reduce((sum, day) => sum + day.count, 0);
  const aspects = new Float64Array(total);
  for (let i = 0; i < total; i++) aspects[i] = clampAspect(aspectAt(i) ?? ESTIMATED_ASPECT);
  const lefts = new Float64Array(total);
  const widths = new Float64Array(total);
  const rows: TimelineRow[] = [];
  const sections: DaySection[] = [];
  let y = 0;

  /**
   * Places the tiles [first, end) as one row with `headers` (and their sections) above it: scaled
   * to fill the width when `stretch`, else at `rowHeight`.
   */
  const place = (
    first: number,
    end: number,
    headers: DayHeader[],
    rowSections: DaySection[],
    stretch: boolean,
  ): void => {
    const top = y + (headers.length > 0 ? headerHeight : 0);
    for (const section of rowSections) section.top = y;
    let natural = 0;
    for (let i = first; i < end; i++) natural += aspects[i]! * rowHeight;
    const gaps = gap * (end - first - 1) + (dayGap - gap) * Math.max(0, headers.length - 1);
    const scale = stretch && natural > 0 ? (width - gaps) / natural : 1;
    const height = Math.max(1, rowHeight * scale);
    let x = 0;
    let h = 0;
    for (let i = first; i < end; i++) {
      const header = headers[h];
      if (header !== undefined && header.firstIndex === i) {
        if (h > 0) x += dayGap - gap;
        header.left = x;
        h++;
      }
      lefts[i] = x;
      widths[i] = aspects[i]! * height;
      x += widths[i]! + gap;
    }
    for (const header of headers) {
      // A day that goes on in later rows has this row's width for its date line.
      const last = Math.min(header.firstIndex + header.count, end) - 1;
      header.width = Math.max(0, lefts[last]! + widths[last]! - header.left);
    }
    rows.push({ top, height, firstIndex: first, count: end - first, headers });
    y = top + height + gap;
    for (const section of rowSections) section.bottom = top + height;
  };

  /** The row of small days being filled, laid at `rowHeight` (not stretched). */
  let shared: {
    first: number;
    end: number;
    headers: DayHeader[];
    sections: DaySection[];
    width: number;
  } | null = null;
  const flushShared = (): void => {
    if (shared === null) return;
    place(shared.first, shared.end, shared.headers, shared.sections, false);
    shared = null;
  };

  let firstIndex = 0;
  for (const { day, count } of days) {
    const end = firstIndex + count;
    let natural = gap * (count - 1);
    for (let i = firstIndex; i < end; i++) natural += aspects[i]! * rowHeight;
    const section: DaySection = { day, count, firstIndex, top: y, bottom: y };
    sections.push(section);
    const header: DayHeader = { day, left: 0, width: 0, firstIndex, count };
    if (natural <= width) {
      // A small day: beside the days before it if it fits, on a new shared row otherwise.
      if (shared !== null && shared.width + dayGap + natural > width) flushShared();
      if (shared === null) {
        shared = { first: firstIndex, end, headers: [header], sections: [section], width: natural };
      } else {
        shared.end = end;
        shared.headers.push(header);
        shared.sections.push(section);
        shared.width += dayGap + natural;
      }
    } else {
      flushShared();
      // A day of its own: greedy justified rows, each filling the width; the last one ragged.
      let start = firstIndex;
      while (start < end) {
        let stop = start + 1;
        let sum = aspects[start]!;
        while (stop < end && (sum + aspects[stop]!) * rowHeight + gap * (stop - start) <= width) {
          sum += aspects[stop]!;
          stop++;
        }
        // One more tile makes the row lower than the target, one fewer taller: take whichever
        // comes closer (one wide photo alone on a phone's row would otherwise be blown up).
        if (stop < end) {
          const without = (width - gap * (stop - start - 1)) / sum;
          const withNext = (width - gap * (stop - start)) / (sum + aspects[stop]!);
          if (Math.abs(withNext - rowHeight) < Math.abs(without - rowHeight)) stop++;
        }
        const firstRow = start === firstIndex;
        let rowSum = 0;
        for (let i = start; i < stop; i++) rowSum += aspects[i]!;
        // A full row fills the width; the day's last row stays at rowHeight unless it is too wide.
        const stretch = stop < end || rowSum * rowHeight + gap * (stop - start - 1) > width;
        place(start, stop, firstRow ? [header] : [], firstRow ? [section] : [], stretch);
        section.bottom = y - gap;
        start = stop;
      }
    }
    firstIndex = end;
  }
  flushShared();
  return { rows, sections, lefts, widths, height: Math.max(0, y - gap), options };
}

/** The index of the last row whose top (date line included) is at or above `y`; -1 with no rows. */
export function rowAt(layout: TimelineLayout, y: number): number {
  const { rows } = layout;
  let low = 0;
  let high = rows.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const row = rows[middle]!;
    if (row.top <= y) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return rows.length === 0 ? -1 : Math.max(found, 0);
}

/** The rows that overlap [top, bottom), date lines included, in order. */
export function visibleRows(layout: TimelineLayout, top: number, bottom: number): TimelineRow[] {
  const { rows } = layout;
  const { headerHeight } = layout.options;
  const visible: TimelineRow[] = [];
  for (let r = rowAt(layout, top); r >= 0 && r < rows.length; r++) {
    const row = rows[r]!;
    const rowTop = row.headers.length > 0 ? row.top - headerHeight : row.top;
    if (rowTop >= bottom) break;
    if (row.top + row.height > top) visible.push(row);
  }
  return visible;
}

/** The row holding timeline index `index`; -1 when out of range. */
export function rowOfIndex(layout: TimelineLayout, index: number): number {
  const { rows } = layout;
  let low = 0;
  let high = rows.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const row = rows[middle]!;
    if (index < row.firstIndex) high = middle - 1;
    else if (index >= row.firstIndex + row.count) low = middle + 1;
    else return middle;
  }
  return -1;
}

/** The top of the row that shows timeline index `index`, or null when out of range. */
export function topOfIndex(layout: TimelineLayout, index: number): number | null {
  const row = layout.rows[rowOfIndex(layout, index)];
  return row === undefined ? null : row.top;
}

/** The section (day) holding timeline index `index`; -1 when out of range. */
export function sectionOfIndex(layout: TimelineLayout, index: number): number {
  const { sections } = layout;
  let low = 0;
  let high = sections.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const section = sections[middle]!;
    if (index < section.firstIndex) high = middle - 1;
    else if (index >= section.firstIndex + section.count) low = middle + 1;
    else return middle;
  }
  return -1;
}

/**
 * The index a keyboard arrow moves to from `index`: the neighbour for Left and Right, and for Up
 * and Down the tile of the row above or below nearest under the middle of this one.
 */
export function indexInDirection(
  layout: TimelineLayout,
  index: number,
  direction: 'left' | 'right' | 'up' | 'down',
  total: number,
): number {
  if (direction === 'left') return Math.max(0, index - 1);
  if (direction === 'right') return Math.min(total - 1, index + 1);
  const r = rowOfIndex(layout, index);
  const target = layout.rows[direction === 'up' ? r - 1 : r + 1];
  if (r < 0 || target === undefined) return index;
  const { lefts, widths } = layout;
  const middle = lefts[index]! + widths[index]! / 2;
  let best = target.firstIndex;
  let distance = Infinity;
  for (let k = target.firstIndex; k < target.firstIndex + target.count; k++) {
    const d = Math.abs(lefts[k]! + widths[k]! / 2 - middle);
    if (d < distance) {
      distance = d;
      best = k;
    }
  }
  return best;
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
