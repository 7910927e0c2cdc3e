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
 * Every date the app writes goes through these formatters, so it reads one way everywhere, in the
 * browser's locale (issue 15): a day ("Sat, 12 Jun"), a date ("12 Jun 2019"), a date with its time,
 * a month ("June 2019"). Each formatter is made once per locale: making one costs far more than
 * using one (issue 5 measured the first one of a page on a throttled phone).
 */
const STYLES = {
  weekday: { weekday: 'short', day: 'numeric', month: 'short' },
  date: { day: 'numeric', month: 'short', year: 'numeric' },
  weekdayDate: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
  dateTime: { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' },
  time: { hour: '2-digit', minute: '2-digit' },
  month: { month: 'long', year: 'numeric' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

type Style = keyof typeof STYLES;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter of a style; `utc` for a wall-clock capture time or a calendar day (no zone shift). */
function formatter(style: Style, utc: boolean, locale: string | undefined): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${style}|${utc ? 'utc' : 'local'}`;
  let made = formatters.get(key);
  if (made === undefined) {
    made = new Intl.DateTimeFormat(locale, { ...STYLES[style], ...(utc ? { timeZone: 'UTC' } : {}) });
    formatters.set(key, made);
  }
  return made;
}

/**
 * A day header as Google Photos words it: "Today", "Yesterday", the weekday and date within the
 * current year ("Sat, 12 Jun"), the date before it ("12 Jun 2019"). `day` and `today` are `YYYY-MM-DD`.
 */
export function dayLabel(day: string, today: string, locale?: string): string {
  if (day === today) return 'Today';
  if (day === previousDay(today)) return 'Yesterday';
  const style = day.slice(0, 4) === today.slice(0, 4) ? 'weekday' : 'date';
  return formatter(style, true, locale).format(utcDate(day));
}

/** "June 2019" for `2019-06`. */
export function monthLabel(month: string, locale?: string): string {
  return formatter('month', true, locale).format(utcDate(`${month}-01`));
}

/** A capture date and time in full, as the camera showed it: "Sat, 12 Jun 2021, 15:47". */
export function captureLabel(capturedAt: string, locale?: string): string {
  const date = new Date(capturedAt);
  if (Number.isNaN(date.getTime())) return 'Unknown date';
  return `${formatter('weekdayDate', true, locale).format(date)}, ${formatter('time', true, locale).format(date)}`;
}

/** An instant (ISO string or epoch ms) as a date in the viewer's zone: "12 Jun 2021". */
export function dateLabel(at: string | number, locale?: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? 'Unknown date' : formatter('date', false, locale).format(date);
}

/** An instant as a date and time in the viewer's zone: "12 Jun 2021, 15:47". */
export function dateTimeLabel(at: string | number, locale?: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? 'Unknown date' : formatter('dateTime', false, locale).format(date);
}

/** An instant's time of day in the viewer's zone: "15:47". */
export function timeLabel(at: string | number, locale?: string): string {
  return formatter('time', false, locale).format(new Date(at));
}

/** "UTC+02:00" for an offset in minutes east of UTC. */
export function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
