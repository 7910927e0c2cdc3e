/**
 * Capture times as Shoebox stores them: the wall-clock time the camera showed, written as an ISO
 * string ending in `Z` (`2021-04-11T15:47:53.000Z`), with the offset from UTC in its own column
 * where it is known. Sorting and grouping by day then follow the photographer's calendar, and
 * nothing depends on the time zone the server runs in. The EXIF itself is read in one place only,
 * imaging/ (`readMetadata`).
 */

export interface CaptureTime {
  /** Wall-clock time, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  at: string;
  /** Minutes east of UTC of `at`; null when unknown. */
  offsetMinutes: number | null;
}

/** The UTC time of these calendar fields, or null unless they name a real date and time. */
function validUtc(parts: readonly number[]): number | null {
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
  return roundTrips && year >= 1800 && year <= 9999 ? time : null;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** `YYYY-MM-DDTHH:mm[:ss[.fff]]` (no zone) as `YYYY-MM-DDTHH:mm:ss.sssZ`; null if not a real time. */
export function wallClockToStored(value: string): string | null {
  const match = LOCAL.exec(value.trim());
  if (match === null) return null;
  const fields = match.slice(1, 7).map((part) => Number(part ?? '0'));
  const time = validUtc(fields);
  if (time === null) return null;
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  return new Date(time + millis).toISOString();
}

const ZONE = /^(Z|[+-]\d{2}:\d{2})$/i;

/** `Z`, `+02:00` or `-05:30` as minutes east of UTC. */
function zoneMinutes(zone: string): number | null {
  if (zone.toUpperCase() === 'Z') return 0;
  const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
  if (minutes > 14 * 60) return null;
  return zone.startsWith('-') ? -minutes : minutes;
}

/**
 * A client-supplied ISO 8601 date-time (Upload-Metadata `capturedAt`). Without a zone it is
 * wall-clock time of unknown offset (what the app sends from EXIF); with one, the local part is
 * the wall-clock time and the zone its offset: `Z` (a file's modification time, as the app sends
 * it) is offset 0. Null unless it is a real date and time.
 */
export function parseClientCaptureTime(value: string): CaptureTime | null {
  const trimmed = value.trim();
  const split = /^(.*?)(Z|[+-]\d{2}:\d{2})?$/i.exec(trimmed);
  const local = split?.[1] ?? '';
  const zone = split?.[2];
  const at = wallClockToStored(local);
  if (at === null) return null;
  if (zone === undefined) return { at, offsetMinutes: null };
  if (!ZONE.test(zone)) return null;
  const offsetMinutes = zoneMinutes(zone);
  return offsetMinutes === null ? null : { at, offsetMinutes };
}

/**
 * The capture time that imaging's `readMetadata` found (`capturedAt` is wall-clock text without a
 * zone, `offsetMinutes` its offset), or null when there is none or it is not a real time.
 */
export function captureTimeFromMetadata(metadata: {
  capturedAt: string | null;
  offsetMinutes: number | null;
}): CaptureTime | null {
  if (metadata.capturedAt === null) return null;
  const at = wallClockToStored(metadata.capturedAt);
  return at === null ? null : { at, offsetMinutes: metadata.offsetMinutes };
}

/** The day a stored capture time falls on, in the photographer's calendar: `YYYY-MM-DD`. */
export const captureDay = (at: string): string => at.slice(0, 10);

/** `YYYY-MM-DD` as the first stored capture time of the next day; null if it is not a real day. */
export function startOfNextDay(day: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return null;
  const time = validUtc([Number(match[1]), Number(match[2]), Number(match[3]), 0, 0, 0]);
  return time === null ? null : new Date(time + 24 * 60 * 60 * 1000).toISOString();
}
