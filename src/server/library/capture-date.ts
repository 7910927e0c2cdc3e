import exifr from 'exifr';

const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

function validUtc(parts: number[]): number | null {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts;
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(time);
  const roundTrips =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return roundTrips && year >= 1800 ? time : null;
}

/**
 * An EXIF date (`2018:07:25 16:34:23`, the camera's wall clock) as ISO 8601. With an EXIF
 * OffsetTime (`+02:00`) it becomes true UTC; without one the wall-clock time is kept as if it
 * were UTC, so the result never depends on the server's time zone. Null for the all-zero
 * placeholder and anything else that is not a real date.
 */
export function exifDateToIso(value: string, offset?: string): string | null {
  const match = EXIF_DATE.exec(value.trim());
  if (match === null) return null;
  const time = validUtc(match.slice(1, 7).map(Number));
  if (time === null) return null;
  const zone = offset === undefined ? null : OFFSET.exec(offset.trim());
  if (zone === null) return new Date(time).toISOString();
  const minutes = (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3]));
  return new Date(time - minutes * 60_000).toISOString();
}

/**
 * A client-supplied ISO 8601 date-time, normalised to `toISOString()` form; null if it is not a
 * real one. Without a zone it is wall-clock time, read as UTC like an EXIF date, never in the
 * server's zone.
 */
export function normalizeIsoDate(value: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?$/i.exec(
    value.trim(),
  );
  if (match === null) return null;
  const [, local = '', zone = 'Z'] = match;
  // Date.parse rolls 30 February over into March; insist on a real calendar date and time.
  if (
    validUtc(
      local
        .split(/[-T:.]/)
        .slice(0, 6)
        .map(Number),
    ) === null
  )
    return null;
  const time = Date.parse(`${local}${zone.toUpperCase()}`);
  if (Number.isNaN(time)) return null;
  const iso = new Date(time).toISOString();
  return iso.startsWith('+') || iso.startsWith('-') ? null : iso;
}

interface ExifDates {
  DateTimeOriginal?: unknown;
  CreateDate?: unknown;
  OffsetTimeOriginal?: unknown;
  OffsetTimeDigitized?: unknown;
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The capture date in a photo's EXIF: DateTimeOriginal, else CreateDate (DateTimeDigitized),
 * each with its own offset tag. Null when there is none; throws when the file cannot be parsed.
 */
export async function readExifCaptureDate(filePath: string): Promise<string | null> {
  const tags = (await exifr.parse(filePath, {
    pick: ['DateTimeOriginal', 'CreateDate', 'OffsetTimeOriginal', 'OffsetTimeDigitized'],
    reviveValues: false,
  })) as ExifDates | undefined;
  if (tags === undefined) return null;
  const original = asString(tags.DateTimeOriginal);
  const fromOriginal =
    original === undefined ? null : exifDateToIso(original, asString(tags.OffsetTimeOriginal));
  if (fromOriginal !== null) return fromOriginal;
  const created = asString(tags.CreateDate);
  return created === undefined ? null : exifDateToIso(created, asString(tags.OffsetTimeDigitized));
}
