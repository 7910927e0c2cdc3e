import { describe, expect, it } from 'vitest';
import { captureLabel, dayLabel, localDay, monthLabel, offsetLabel } from './dayLabels';

describe('dayLabel', () => {
  const today = '2021-06-14';

  it('says Today and Yesterday, across a month boundary too', () => {
    expect(dayLabel('2021-06-14', today, 'en-GB')).toBe('Today');
    expect(dayLabel('2021-06-13', today, 'en-GB')).toBe('Yesterday');
    expect(dayLabel('2021-02-28', '2021-03-01', 'en-GB')).toBe('Yesterday');
  });

  it('gives the weekday within this year and the year before it', () => {
    expect(dayLabel('2021-06-12', today, 'en-GB')).toBe('Sat, 12 Jun');
    expect(dayLabel('2019-06-12', today, 'en-GB')).toBe('12 Jun 2019');
  });
});

describe('captureLabel', () => {
  it('shows the wall-clock time the camera wrote, whatever the viewer zone', () => {
    expect(captureLabel('2021-04-11T23:47:53.000Z', 'en-GB')).toMatch(/11 Apr 2021.*23:47/);
    expect(captureLabel('nonsense', 'en-GB')).toBe('Unknown date');
  });
});

describe('small labels', () => {
  it('formats months, offsets and local days', () => {
    expect(monthLabel('2019-06', 'en-GB')).toBe('June 2019');
    expect(offsetLabel(120)).toBe('UTC+02:00');
    expect(offsetLabel(-330)).toBe('UTC−05:30');
    expect(localDay(new Date(2020, 0, 5, 23, 30))).toBe('2020-01-05');
  });
});
