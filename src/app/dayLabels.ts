/**
 * Date words of the library. A capture date is the camera's wall-clock time written with a `Z`
 * (see `Asset.capturedAt`), so it is formatted in UTC: converting it to the viewer's zone would
 * move photos taken late in the evening to the next day.
 */

/** `YYYY-MM-DD` of a date in the viewer's zone (what "today" means to them). */
export function localDay(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function utcDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

function previousDay(day: string): string {
  const date = utcDate(day);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

/** The three ways the library words a date (index.html prepares the first two: earlyStart.ts). */
export const DATE_FORMATS = {
  day: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' },
  month: { month: 'long', year: 'numeric', timeZone: 'UTC' },
  capture: {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

/**
 * Formatters by format and locale, made once: making an Intl.DateTimeFormat costs far more than
 * using one, and the timeline words every rendered row, again on each scroll (issue 5: on a
 * throttled phone CPU, Lighthouse found a quarter of a second of Library's load spent here).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(format: keyof typeof DATE_FORMATS, locale: string | undefined): Intl.DateTimeFormat {
  const key = `${format} ${locale ?? ''}`;
  let made = formatters.get(key);
  if (made === undefined) {
    made = new Intl.DateTimeFormat(locale, DATE_FORMATS[format]);
    formatters.set(key, made);
  }
  return made;
}

function part(parts: Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes): string {
  return parts.find((p) => p.type === type)?.value ?? '';
}

/**
 * A day header as Google Photos words it: "Today", "Yesterday", "Sat, 12 Jun" within the current
 * year, "12 Jun 2019" before it. `day` and `today` are `YYYY-MM-DD`.
 */
export function dayLabel(day: string, today: string, locale?: string): string {
  if (day === today) return 'Today';
  if (day === previousDay(today)) return 'Yesterday';
  const parts = formatter('day', locale).formatToParts(utcDate(day));
  const dayMonth = `${part(parts, 'day')} ${part(parts, 'month')}`;
  if (day.slice(0, 4) === today.slice(0, 4)) return `${part(parts, 'weekday')}, ${dayMonth}`;
  return `${dayMonth} ${part(parts, 'year')}`;
}

/** "June 2019" for `2019-06`. */
export function monthLabel(month: string, locale?: string): string {
  return formatter('month', locale).format(utcDate(`${month}-01`));
}

/** A capture date and time in full, as the camera showed it: "Sat, 12 Jun 2021, 15:47". */
export function captureLabel(capturedAt: string, locale?: string): string {
  const date = new Date(capturedAt);
  if (Number.isNaN(date.getTime())) return 'Unknown date';
  return formatter('capture', locale).format(date);
}

/** "UTC+02:00" for an offset in minutes east of UTC. */
export function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
