import { describe, expect, it } from 'vitest';
import {
  durationLabel,
  gridMetrics,
  layoutTimeline,
  monthsOf,
  sectionAt,
  sectionOfIndex,
  topOfIndex,
  visibleRows,
  type GridMetrics,
} from './timelineLayout';

const METRICS: GridMetrics = { columns: 4, tile: 96, gap: 4, headerHeight: 50 };
const DAYS = [
  { day: '2024-06-12', count: 5 }, // 2 rows
  { day: '2024-06-10', count: 4 }, // 1 row
  { day: '2023-01-01', count: 9 }, // 3 rows
];

describe('gridMetrics', () => {
  it('fits as many columns as tiles of the minimum size, and at least three', () => {
    expect(gridMetrics(1000, { minTile: 160, gap: 4 }).columns).toBe(6);
    expect(gridMetrics(320).columns).toBe(3);
    expect(gridMetrics(0).columns).toBe(3);
  });

  it('fills the width exactly with tiles and gaps', () => {
    const { columns, tile, gap } = gridMetrics(997);
    expect(columns * tile + (columns - 1) * gap).toBeCloseTo(997);
  });
});

describe('layoutTimeline', () => {
  const layout = layoutTimeline(DAYS, METRICS);

  it('stacks each day as a header and its rows, from the buckets alone', () => {
    expect(layout.sections.map((s) => [s.top, s.rows, s.firstIndex])).toEqual([
      [0, 2, 0],
      [250, 1, 5],
      [400, 3, 9],
    ]);
    expect(layout.height).toBe(400 + 50 + 300);
  });

  it('finds the section at a scroll position and of a timeline index', () => {
    expect(sectionAt(layout, -10)).toBe(0);
    expect(sectionAt(layout, 249)).toBe(0);
    expect(sectionAt(layout, 250)).toBe(1);
    expect(sectionAt(layout, 10_000)).toBe(2);
    expect(sectionAt(layoutTimeline([], METRICS), 0)).toBe(-1);
    expect(sectionOfIndex(layout, 4)).toBe(0);
    expect(sectionOfIndex(layout, 5)).toBe(1);
    expect(sectionOfIndex(layout, 17)).toBe(2);
    expect(sectionOfIndex(layout, 18)).toBe(-1);
  });

  it('places an index on its row', () => {
    expect(topOfIndex(layout, 0)).toBe(50);
    expect(topOfIndex(layout, 4)).toBe(150);
    expect(topOfIndex(layout, 17)).toBe(400 + 50 + 200);
    expect(topOfIndex(layout, 99)).toBeNull();
  });

  it('lists only the headers and rows that overlap the window', () => {
    const rows = visibleRows(layout, 160, 460);
    expect(rows.map((row) => row.key)).toEqual([
      '2024-06-12:1',
      '2024-06-10:h',
      '2024-06-10:0',
      '2023-01-01:h',
      // Its top (450) is above the window's bottom (460): ten pixels of it show.
      '2023-01-01:0',
    ]);
    const last = rows[2];
    expect(last).toMatchObject({ kind: 'tiles', firstIndex: 5, count: 4, top: 300 });
    const partial = visibleRows(layout, 0, 200).find((row) => row.key === '2024-06-12:1');
    expect(partial).toMatchObject({ firstIndex: 4, count: 1 });
  });

  it('keeps the rendered rows bounded for a huge library', () => {
    const days = Array.from({ length: 4000 }, (_, i) => ({ day: `d${i}`, count: 25 }));
    const big = layoutTimeline(days, METRICS);
    for (const top of [0, big.height / 3, big.height - 800]) {
      const rows = visibleRows(big, top, top + 2400);
      const tiles = rows.reduce((sum, row) => sum + (row.kind === 'tiles' ? row.count : 0), 0);
      expect(tiles).toBeLessThanOrEqual((2400 / 100 + 2) * 4);
      expect(tiles).toBeGreaterThan(0);
    }
  });
});

describe('monthsOf', () => {
  it('groups days into months, newest first, with counts', () => {
    expect(monthsOf(DAYS)).toEqual([
      { month: '2024-06', day: '2024-06-12', count: 9 },
      { month: '2023-01', day: '2023-01-01', count: 9 },
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
