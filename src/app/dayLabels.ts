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

/**
 * Month and weekday names of the timeline's day headers and month menu, in the app's language
 * (its whole interface is English). Words from a table rather than Intl.DateTimeFormat: the first
 * formatter of a page loads the browser's date data, a long task on a phone (issue 5: on a
 * throttled CPU, Lighthouse found a third of a second of Library's first screen spent there).
 */
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** The capture date's format of the viewer's info panel, which opens long after the first screen. */
const CAPTURE_FORMAT: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
};

/** Capture-date formatters by locale, made once: making one costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function captureFormatter(locale: string | undefined): Intl.DateTimeFormat {
  const key = locale ?? '';
  let made = formatters.get(key);
  if (made === undefined) {
    made = new Intl.DateTimeFormat(locale, CAPTURE_FORMAT);
    formatters.set(key, made);
  }
  return made;
}

/**
 * A day header as Google Photos words it: "Today", "Yesterday", "Sat, 12 Jun" within the current
 * year, "12 Jun 2019" before it. `day` and `today` are `YYYY-MM-DD`.
 */
export function dayLabel(day: string, today: string): string {
  if (day === today) return 'Today';
  if (day === previousDay(today)) return 'Yesterday';
  const date = utcDate(day);
  const dayMonth = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]!.slice(0, 3)}`;
  if (day.slice(0, 4) === today.slice(0, 4)) return `${WEEKDAYS[date.getUTCDay()]!}, ${dayMonth}`;
  return `${dayMonth} ${date.getUTCFullYear()}`;
}

/** "June 2019" for `2019-06`. */
export function monthLabel(month: string): string {
  const date = utcDate(`${month}-01`);
  return `${MONTHS[date.getUTCMonth()]!} ${date.getUTCFullYear()}`;
}

/** A capture date and time in full, as the camera showed it: "Sat, 12 Jun 2021, 15:47". */
export function captureLabel(capturedAt: string, locale?: string): string {
  const date = new Date(capturedAt);
  if (Number.isNaN(date.getTime())) return 'Unknown date';
  return captureFormatter(locale).format(date);
}

/** "UTC+02:00" for an offset in minutes east of UTC. */
export function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
