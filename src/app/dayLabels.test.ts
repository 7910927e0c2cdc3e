import { describe, expect, it } from 'vitest';
import {
  captureLabel,
  dateLabel,
  dateTimeLabel,
  dayLabel,
  localDay,
  monthLabel,
  offsetLabel,
} from './dayLabels';

describe('dayLabel', () => {
  const today = '2021-06-14';

  it('says Today and Yesterday, across a month boundary too', () => {
    expect(dayLabel('2021-06-14', today)).toBe('Today');
    expect(dayLabel('2021-06-13', today)).toBe('Yesterday');
    expect(dayLabel('2021-02-28', '2021-03-01')).toBe('Yesterday');
  });

  it('gives the weekday within this year and the year before it, in the locale asked for', () => {
    expect(dayLabel('2021-06-12', today, 'en-GB')).toBe('Sat 12 Jun');
    expect(dayLabel('2019-06-12', today, 'en-GB')).toBe('12 Jun 2019');
    expect(dayLabel('2021-06-12', today, 'en-US')).toBe('Sat, Jun 12');
    expect(dayLabel('2019-06-12', today, 'en-US')).toBe('Jun 12, 2019');
    expect(dayLabel('2019-06-12', today, 'de-DE')).toBe('12. Juni 2019');
  });

  it('writes the calendar day, whatever the viewer zone', () => {
    expect(dayLabel('2021-01-03', today, 'en-GB')).toBe('Sun 3 Jan');
    expect(dayLabel('2020-12-31', today, 'en-GB')).toBe('31 Dec 2020');
    expect(monthLabel('2020-12', 'en-GB')).toBe('December 2020');
    expect(monthLabel('2021-01', 'fr-FR')).toBe('janvier 2021');
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
    expect(dateLabel(Date.UTC(2021, 5, 12, 12), 'en-GB')).toBe('12 Jun 2021');
    expect(dateTimeLabel('nonsense', 'en-GB')).toBe('Unknown date');
    expect(offsetLabel(120)).toBe('UTC+02:00');
    expect(offsetLabel(-330)).toBe('UTC−05:30');
    expect(localDay(new Date(2020, 0, 5, 23, 30))).toBe('2020-01-05');
  });
});
