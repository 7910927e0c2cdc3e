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
  /**
   * The narrowest a day sharing a row may be, so that its date can be read (one portrait photo
   * left "M…" on a phone): its photos are cropped wider to make it up. None when absent.
   */
  minDayWidth?: number;
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
    // The day's select button and "Oct 26, 2019" at 1rem.
    minDayWidth: phone ? 136 : 160,
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

/**
 * Rows laid out together, their tops relative to the group's: a day of its own (which always
 * starts and ends its own rows, so it can be kept and reused while its assets stay the same), or
 * one row of small days.
 */
interface Group {
  firstIndex: number;
  count: number;
  /** From the top of the first date line to the bottom of the last row. */
  height: number;
  rows: TimelineRow[];
  lefts: Float64Array;
  widths: Float64Array;
}

export interface TimelineLayout {
  groups: Group[];
  /** Top of each group. */
  groupTops: Float64Array;
  sections: DaySection[];
  /** Left edge and width of each tile, by timeline index (flat: a library has 100,000 of them). */
  lefts: Float64Array;
  widths: Float64Array;
  height: number;
  options: LayoutOptions;
}

/**
 * Days laid out before, kept between layouts of the same width: a page of assets arriving then
 * costs the days it touched, not the whole timeline (which is laid again on every page).
 */
export interface LayoutCache {
  key: string;
  days: Map<string, Group>;
  /**
   * The tile arrays of the last layout, reused by the next one of the same size (laid again on
   * every page of assets, two fresh arrays of 100,000 doubles each time kept the collector busy).
   */
  lefts: Float64Array;
  widths: Float64Array;
}

export function createLayoutCache(): LayoutCache {
  return { key: '', days: new Map(), lefts: new Float64Array(0), widths: new Float64Array(0) };
}

const clampAspect = (aspect: number): number => Math.min(MAX_ASPECT, Math.max(MIN_ASPECT, aspect));

/**
 * Lays tiles [first, first + aspects.length) as one row at `y` (relative), with `headers` above it:
 * scaled to fill the width when `stretch`, else at `rowHeight`. Writes into `lefts`/`widths` at
 * `offset` + i and answers the row and the y below it.
 */
function placeRow(
  options: LayoutOptions,
  aspects: ArrayLike<number>,
  first: number,
  from: number,
  to: number,
  headers: DayHeader[],
  y: number,
  stretch: boolean,
  lefts: Float64Array,
  widths: Float64Array,
  offset: number,
): { row: TimelineRow; next: number } {
  const { width, rowHeight, gap, headerHeight, dayGap } = options;
  const top = y + (headers.length > 0 ? headerHeight : 0);
  let natural = 0;
  for (let i = from; i < to; i++) natural += aspects[i]! * rowHeight;
  const gaps = gap * (to - from - 1) + (dayGap - gap) * Math.max(0, headers.length - 1);
  const height = Math.max(1, rowHeight * (stretch && natural > 0 ? (width - gaps) / natural : 1));
  let x = 0;
  let h = 0;
  for (let i = from; i < to; i++) {
    const header = headers[h];
    if (header !== undefined && header.firstIndex === first + i) {
      if (h > 0) x += dayGap - gap;
      header.left = x;
      h++;
    }
    lefts[offset + i] = x;
    widths[offset + i] = aspects[i]! * height;
    x += aspects[i]! * height + gap;
  }
  for (const header of headers) {
    // A day that goes on in later rows has this row's width for its date line.
    const last = Math.min(header.firstIndex - first + header.count, to) - 1;
    header.width = Math.max(0, lefts[offset + last]! + widths[offset + last]! - header.left);
  }
  return {
    row: { top, height, firstIndex: first + from, count: to - from, headers },
    next: top + height + options.gap,
  };
}

/** A day too wide for one row: greedy justified rows, each filling the width; the last one ragged. */
function layBigDay(options: LayoutOptions, day: string, firstIndex: number, aspects: Float64Array): Group {
  const { width, rowHeight, gap } = options;
  const count = aspects.length;
  const lefts = new Float64Array(count);
  const widths = new Float64Array(count);
  const rows: TimelineRow[] = [];
  let y = 0;
  let start = 0;
  while (start < count) {
    let stop = start + 1;
    let sum = aspects[start]!;
    while (stop < count && (sum + aspects[stop]!) * rowHeight + gap * (stop - start) <= width) {
      sum += aspects[stop]!;
      stop++;
    }
    // One more tile makes the row lower than the target, one fewer taller: take whichever comes
    // closer (one wide photo alone on a phone's row would otherwise be blown up).
    if (stop < count) {
      const without = (width - gap * (stop - start - 1)) / sum;
      const withNext = (width - gap * (stop - start)) / (sum + aspects[stop]!);
      if (Math.abs(withNext - rowHeight) < Math.abs(without - rowHeight)) sum += aspects[stop++]!;
    }
    // A full row fills the width; the day's last row stays at rowHeight unless it is too wide.
    const stretch = stop < count || sum * rowHeight + gap * (stop - start - 1) > width;
    const headers = start === 0 ? [{ day, left: 0, width: 0, firstIndex, count }] : [];
    const placed = placeRow(options, aspects, firstIndex, start, stop, headers, y, stretch, lefts, widths, 0);
    rows.push(placed.row);
    y = placed.next;
    start = stop;
  }
  return { firstIndex, count, height: Math.max(0, y - gap), rows, lefts, widths };
}

/**
 * Lays out the timeline. `aspectAt(index)` is an asset's width / height, or undefined when it is
 * not known (not loaded, or no dimensions): it then counts as ESTIMATED_ASPECT. Laid again each
 * time a page of assets arrives: with a `cache`, only the days whose assets changed are.
 */
export function layoutTimeline(
  days: readonly DayBucket[],
  aspectAt: (index: number) => number | undefined,
  options: LayoutOptions,
  cache: LayoutCache = createLayoutCache(),
): TimelineLayout {
  const { width, rowHeight, gap, dayGap } = options;
  const minDayWidth = Math.min(width, options.minDayWidth ?? 0);
  const cacheKey = `${width}|${rowHeight}|${gap}|${options.headerHeight}|${dayGap}|${minDayWidth}`;
  if (cache.key !== cacheKey) {
    cache.key = cacheKey;
    cache.days.clear();
  }
  const used = new Map<string, Group>();
  const total = days.reduce((sum, day) => sum + day.count, 0);
  if (cache.lefts.length !== total) {
    cache.lefts = new Float64Array(total);
    cache.widths = new Float64Array(total);
  }
  const { lefts, widths } = cache;
  const groups: Group[] = [];
  const tops: number[] = [];
  const sections: DaySection[] = [];
  let y = 0;
  let scratch = new Float64Array(64);

  /** Small days waiting to be placed on one row (not stretched). */
  let shared: {
    first: number;
    aspects: number[];
    headers: DayHeader[];
    sections: DaySection[];
    width: number;
  } | null = null;
  const flushShared = (): void => {
    if (shared === null) return;
    const { first, aspects, headers } = shared;
    const placed = placeRow(
      options,
      aspects,
      first,
      0,
      aspects.length,
      headers,
      0,
      false,
      lefts,
      widths,
      first,
    );
    const group: Group = {
      firstIndex: first,
      count: aspects.length,
      height: placed.next - gap,
      rows: [placed.row],
      lefts: lefts.subarray(first, first + aspects.length),
      widths: widths.subarray(first, first + aspects.length),
    };
    groups.push(group);
    tops.push(y);
    for (const section of shared.sections) {
      section.top = y;
      section.bottom = y + group.height;
    }
    y += group.height + gap;
    shared = null;
  };

  let firstIndex = 0;
  for (const { day, count } of days) {
    if (scratch.length < count) scratch = new Float64Array(count * 2);
    let sum = 0;
    for (let i = 0; i < count; i++) {
      scratch[i] = clampAspect(aspectAt(firstIndex + i) ?? ESTIMATED_ASPECT);
      sum += scratch[i]!;
    }
    let natural = sum * rowHeight + gap * (count - 1);
    const section: DaySection = { day, count, firstIndex, top: y, bottom: y };
    sections.push(section);
    if (natural <= width) {
      if (natural < minDayWidth) {
        // Too narrow for its date: its photos are cropped wider (as far as MAX_ASPECT allows).
        const scale = (minDayWidth - gap * (count - 1)) / (sum * rowHeight);
        natural = gap * (count - 1);
        for (let i = 0; i < count; i++) {
          scratch[i] = Math.min(MAX_ASPECT, scratch[i]! * scale);
          natural += scratch[i]! * rowHeight;
        }
      }
      // A small day: beside the days before it if it fits, on a new shared row otherwise.
      if (shared !== null && shared.width + dayGap + natural > width) flushShared();
      const header: DayHeader = { day, left: 0, width: 0, firstIndex, count };
      shared ??= { first: firstIndex, aspects: [], headers: [], sections: [], width: -dayGap };
      for (let i = 0; i < count; i++) shared.aspects.push(scratch[i]!);
      shared.headers.push(header);
      shared.sections.push(section);
      shared.width += dayGap + natural;
    } else {
      flushShared();
      // The same day with the same assets in the same place: the same rows.
      const key = `${day}|${firstIndex}|${count}|${sum}`;
      let group = cache.days.get(key);
      if (group === undefined) group = layBigDay(options, day, firstIndex, scratch.slice(0, count));
      used.set(key, group);
      lefts.set(group.lefts, firstIndex);
      widths.set(group.widths, firstIndex);
      groups.push(group);
      tops.push(y);
      section.top = y;
      section.bottom = y + group.height;
      y += group.height + gap;
    }
    firstIndex += count;
  }
  flushShared();
  cache.days = used;
  return {
    groups,
    groupTops: Float64Array.from(tops),
    sections,
    lefts,
    widths,
    height: Math.max(0, y - gap),
    options,
  };
}

/** The last group starting at or above `y` (binary search); -1 with none. */
function groupAt(layout: TimelineLayout, y: number): number {
  const tops = layout.groupTops;
  let low = 0;
  let high = tops.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (tops[middle]! <= y) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return tops.length === 0 ? -1 : Math.max(found, 0);
}

/** The group holding timeline index `index`; -1 when out of range. */
function groupOfIndex(layout: TimelineLayout, index: number): number {
  const { groups } = layout;
  let low = 0;
  let high = groups.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const group = groups[middle]!;
    if (index < group.firstIndex) high = middle - 1;
    else if (index >= group.firstIndex + group.count) low = middle + 1;
    else return middle;
  }
  return -1;
}

/** A row where it sits in the whole timeline, and where it is in the layout (to step to its neighbours). */
export interface PlacedRow extends TimelineRow {
  group: number;
  row: number;
}

function placed(layout: TimelineLayout, group: number, row: number): PlacedRow | undefined {
  const laid = layout.groups[group]?.rows[row];
  if (laid === undefined) return undefined;
  return { ...laid, top: laid.top + layout.groupTops[group]!, group, row };
}

/** The row after (`step` 1) or before (-1) a row, across groups; undefined at the ends. */
export function neighbourRow(layout: TimelineLayout, from: PlacedRow, step: 1 | -1): PlacedRow | undefined {
  const rows = layout.groups[from.group]?.rows.length ?? 0;
  if (from.row + step >= 0 && from.row + step < rows) return placed(layout, from.group, from.row + step);
  const group = from.group + step;
  const count = layout.groups[group]?.rows.length ?? 0;
  return count === 0 ? undefined : placed(layout, group, step === 1 ? 0 : count - 1);
}

/** The last row whose tiles start at or above `y` (the first row when `y` is above them all). */
export function rowAt(layout: TimelineLayout, y: number): PlacedRow | undefined {
  const g = groupAt(layout, y);
  const group = layout.groups[g];
  if (group === undefined) return undefined;
  const relative = y - layout.groupTops[g]!;
  let r = 0;
  while (r + 1 < group.rows.length && group.rows[r + 1]!.top <= relative) r++;
  return placed(layout, g, r);
}

/** The rows that overlap [top, bottom), date lines included, in order. */
export function visibleRows(layout: TimelineLayout, top: number, bottom: number): PlacedRow[] {
  const { headerHeight } = layout.options;
  const visible: PlacedRow[] = [];
  for (let row = rowAt(layout, top); row !== undefined; row = neighbourRow(layout, row, 1)) {
    const rowTop = row.headers.length > 0 ? row.top - headerHeight : row.top;
    if (rowTop >= bottom) break;
    if (row.top + row.height > top) visible.push(row);
  }
  return visible;
}

/** The row holding timeline index `index`; undefined when out of range. */
export function rowOfIndex(layout: TimelineLayout, index: number): PlacedRow | undefined {
  const g = groupOfIndex(layout, index);
  const rows = layout.groups[g]?.rows ?? [];
  const r = rows.findIndex((row) => index >= row.firstIndex && index < row.firstIndex + row.count);
  return r < 0 ? undefined : placed(layout, g, r);
}

/** The top of the row that shows timeline index `index`, or null when out of range. */
export function topOfIndex(layout: TimelineLayout, index: number): number | null {
  return rowOfIndex(layout, index)?.top ?? null;
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
  const row = rowOfIndex(layout, index);
  const target = row === undefined ? undefined : neighbourRow(layout, row, direction === 'up' ? -1 : 1);
  if (target === undefined) return index;
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
