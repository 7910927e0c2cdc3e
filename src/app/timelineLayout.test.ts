import { describe, expect, it } from 'vitest';
import {
  createLayoutCache,
  ESTIMATED_ASPECT,
  MAX_ASPECT,
  durationLabel,
  indexInDirection,
  layoutOptions,
  layoutTimeline,
  monthsOf,
  rowOfIndex,
  sectionOfIndex,
  topOfIndex,
  visibleRows,
  type LayoutOptions,
  type TimelineLayout,
} from './timelineLayout';

/** Every row of a layout, placed. */
const rowsOf = (layout: TimelineLayout) => visibleRows(layout, -1, layout.height + 1);

const OPTIONS: LayoutOptions = { width: 1000, rowHeight: 100, gap: 4, headerHeight: 50, dayGap: 20 };
const DAYS = [
  { day: '2024-06-12', count: 13 }, // a day of its own: 13 × 150 px > 1000
  { day: '2024-06-10', count: 2 }, // small days that share a row
  { day: '2024-06-09', count: 3 },
  { day: '2023-01-01', count: 1 },
];
const landscape = (): number => 1.5;

describe('layoutTimeline', () => {
  const layout = layoutTimeline(DAYS, landscape, OPTIONS);
  const rows = rowsOf(layout);

  it('fills each full row of a big day to the width, keeping the photos’ shape', () => {
    const [first, second] = rows;
    if (first === undefined || second === undefined) throw new Error('no rows');
    // Six 150 px tiles and five gaps (920 px) fit; stretched they would be 109 px high, and with
    // a seventh squeezed in 93 px: nearer the 100 px aimed at, so the row takes seven.
    expect(first.count).toBe(7);
    const right = layout.lefts[6]! + layout.widths[6]!;
    expect(right).toBeCloseTo(1000);
    expect(first.height).toBeCloseTo((1000 - 6 * 4) / 10.5);
    for (let i = 0; i < 7; i++) expect(layout.widths[i]! / first.height).toBeCloseTo(1.5);
    expect(first.headers.map((header) => header.day)).toEqual(['2024-06-12']);
    expect(first.top).toBe(50);
    // The next row follows without a date line.
    expect(second.headers).toEqual([]);
    expect(second.top).toBeCloseTo(50 + first.height + 4);
  });

  it('keeps the last row of a day at the target height instead of blowing it up', () => {
    const last = rows[1];
    expect(last?.count).toBe(6);
    expect(last?.height).toBe(100);
  });

  it('squeezes a last row that came out wider than the screen', () => {
    const seven = layoutTimeline([{ day: 'd', count: 7 }], landscape, OPTIONS);
    expect(rowsOf(seven)).toHaveLength(1);
    expect(seven.lefts[6]! + seven.widths[6]!).toBeCloseTo(1000);
  });

  it('puts small days side by side on one row, each under its own date', () => {
    const shared = rows[2];
    expect(shared?.firstIndex).toBe(13);
    expect(shared?.count).toBe(6);
    expect(shared?.headers.map((header) => [header.day, header.left])).toEqual([
      ['2024-06-10', 0],
      ['2024-06-09', 2 * 150 + 4 + 20],
      ['2023-01-01', 2 * 150 + 4 + 20 + 3 * 150 + 2 * 4 + 20],
    ]);
    expect(shared?.height).toBe(100);
    expect(layout.height).toBeCloseTo((shared?.top ?? 0) + 100);
  });

  it('starts a new shared row when the next small day does not fit', () => {
    const narrow = layoutTimeline(DAYS.slice(1), landscape, { ...OPTIONS, width: 700 });
    expect(rowsOf(narrow).map((row) => row.headers.map((header) => header.day))).toEqual([
      ['2024-06-10'],
      ['2024-06-09', '2023-01-01'],
    ]);
  });

  it('makes a day sharing a row wide enough for its date, cropping its photos wider', () => {
    const days = [
      { day: '2024-06-12', count: 1 },
      { day: '2024-06-11', count: 2 },
    ];
    // One portrait photo, then two: 50 px and 104 px wide at their own shapes.
    const narrow = layoutTimeline(days, () => 0.5, { ...OPTIONS, minDayWidth: 120 });
    const [row] = rowsOf(narrow);
    expect(row?.headers.map((header) => Math.round(header.width))).toEqual([120, 120]);
    expect(narrow.widths[0]).toBeCloseTo(120);
    expect(narrow.widths[1]! + narrow.widths[2]! + 4).toBeCloseTo(120);
    expect(row?.height).toBe(100);
    // Never past MAX_ASPECT, and a day wide enough keeps its shapes.
    const wide = layoutTimeline([{ day: 'd', count: 1 }], () => 0.5, { ...OPTIONS, minDayWidth: 900 });
    expect(wide.widths[0]).toBeCloseTo(MAX_ASPECT * 100);
    const enough = layoutTimeline([{ day: 'd', count: 2 }], () => 1, { ...OPTIONS, minDayWidth: 120 });
    expect(enough.widths[0]).toBeCloseTo(100);
  });

  it('counts an asset not loaded yet with an estimated shape, and crops extremes', () => {
    const unknown = layoutTimeline([{ day: 'd', count: 1 }], () => undefined, OPTIONS);
    expect(unknown.widths[0]).toBeCloseTo(ESTIMATED_ASPECT * 100);
    const panorama = layoutTimeline([{ day: 'd', count: 1 }], () => 8, OPTIONS);
    expect(panorama.widths[0]).toBeCloseTo(MAX_ASPECT * 100);
  });

  it('finds the rows, sections and positions of indices', () => {
    expect(rowOfIndex(layout, 0)?.firstIndex).toBe(0);
    expect(rowOfIndex(layout, 8)?.firstIndex).toBe(7);
    expect(rowOfIndex(layout, 18)?.firstIndex).toBe(13);
    expect(rowOfIndex(layout, 19)).toBeUndefined();
    expect(sectionOfIndex(layout, 12)).toBe(0);
    expect(sectionOfIndex(layout, 15)).toBe(2);
    expect(topOfIndex(layout, 7)).toBe(rows[1]?.top);
    expect(topOfIndex(layout, 99)).toBeNull();
    expect(layout.sections.map((s) => s.top)).toEqual([
      0,
      rows[2]!.top - 50,
      rows[2]!.top - 50,
      rows[2]!.top - 50,
    ]);
  });

  it('moves between tiles with the arrows: neighbours, and the nearest tile above or below', () => {
    expect(indexInDirection(layout, 0, 'left', 19)).toBe(0);
    expect(indexInDirection(layout, 0, 'right', 19)).toBe(1);
    expect(indexInDirection(layout, 18, 'right', 19)).toBe(18);
    // Tile 1 (x 146–285) is over tile 8 (x 154–304) of the row below.
    expect(indexInDirection(layout, 1, 'down', 19)).toBe(8);
    expect(indexInDirection(layout, 8, 'up', 19)).toBe(1);
    expect(indexInDirection(layout, 2, 'up', 19)).toBe(2);
  });

  it('lists only the rows near the window', () => {
    expect(visibleRows(layout, 0, 100).map((row) => row.firstIndex)).toEqual([0]);
    expect(visibleRows(layout, rows[1]!.top + 1, rows[2]!.top).map((row) => row.firstIndex)).toEqual([7, 13]);
  });

  it('lays again only the days whose assets changed, with the same result as from scratch', () => {
    const cache = createLayoutCache();
    const known = new Map<number, number>([[3, 0.75]]);
    const aspectAt = (index: number) => known.get(index) ?? (index < 13 ? undefined : 1.5);
    const before = layoutTimeline(DAYS, aspectAt, OPTIONS, cache);
    const again = layoutTimeline(DAYS, aspectAt, OPTIONS, cache);
    expect(again.groups[0]).toBe(before.groups[0]);
    known.set(5, 2);
    const changed = layoutTimeline(DAYS, aspectAt, OPTIONS, cache);
    expect(changed.groups[0]).not.toBe(before.groups[0]);
    const fresh = layoutTimeline(DAYS, aspectAt, OPTIONS);
    expect(rowsOf(changed)).toEqual(rowsOf(fresh));
    expect([...changed.lefts]).toEqual([...fresh.lefts]);
    expect(changed.height).toBe(fresh.height);
  });

  it('keeps the rendered rows bounded for a huge library', () => {
    const days = Array.from({ length: 4000 }, (_, i) => ({ day: `d${i}`, count: 25 }));
    const big = layoutTimeline(days, () => undefined, layoutOptions(1280));
    for (const top of [0, big.height / 3, big.height - 800]) {
      const rows = visibleRows(big, top, top + 2400);
      const tiles = rows.reduce((sum, row) => sum + row.count, 0);
      expect(tiles).toBeLessThanOrEqual(120);
      expect(tiles).toBeGreaterThan(0);
    }
  });
});

describe('monthsOf', () => {
  it('groups days into months, newest first, with counts', () => {
    expect(monthsOf(DAYS)).toEqual([
      { month: '2024-06', day: '2024-06-12', count: 18 },
      { month: '2023-01', day: '2023-01-01', count: 1 },
    ]);
  });
});

describe('durationLabel', () => {
  it('writes minutes and seconds, and hours when needed', () => {
    expect(durationLabel(5.4)).toBe('0:05');
    expect(durationLabel(65)).toBe('1:05');
    expect(durationLabel(3723)).toBe('1:02:03');
    expect(durationLabel(null)).toBe('');
  });
});
