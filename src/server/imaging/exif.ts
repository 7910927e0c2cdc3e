/**
 * The EXIF fields Shoebox keeps, read with exifr as raw values: exifr's revived dates are built in
 * the server's local time zone, so a photo's capture time would depend on where the server runs.
 * Dates are kept as the camera's wall-clock text and its separate offset.
 */
import exifr from 'exifr';
import { Reader } from './bytes';
import type { ByteSource } from './bytes';
import { normalizeOrientation } from './orientation';
import type { Orientation } from './orientation';

export interface GpsPosition {
  latitude: number;
  longitude: number;
  /** Metres above sea level (negative below), when recorded. */
  altitude: number | null;
}

export interface ExifFields {
  /** The Orientation tag, or null when the file has none. */
  orientation: Orientation | null;
  make: string | null;
  model: string | null;
  lens: string | null;
  gps: GpsPosition | null;
  /** Wall-clock capture time, 'YYYY-MM-DDTHH:mm:ss.sss', with no zone. */
  capturedAt: string | null;
  /** The offset from UTC of `capturedAt` in minutes (EXIF 2.31 OffsetTimeOriginal), if recorded. */
  offsetMinutes: number | null;
}

export const NO_EXIF: ExifFields = {
  orientation: null,
  make: null,
  model: null,
  lens: null,
  gps: null,
  capturedAt: null,
  offsetMinutes: null,
};

const EXIFR_OPTIONS = {
  tiff: true,
  exif: true,
  gps: true,
  ifd1: false,
  interop: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  makerNote: false,
  userComment: false,
  translateKeys: true,
  translateValues: false,
  reviveValues: false,
  mergeOutput: true,
} as const;

type Tags = Record<string, unknown>;

/**
 * EXIF of a JPEG, TIFF, HEIF or AVIF file (a path, so exifr reads only the head), or of a bare
 * TIFF structure (a PNG eXIf chunk, a WebP EXIF chunk). A file without readable EXIF gives
 * {@link NO_EXIF}: missing metadata is normal, not an error.
 */
export async function readExif(input: string | Uint8Array): Promise<ExifFields> {
  let parsed: unknown;
  try {
    parsed = await exifr.parse(input, EXIFR_OPTIONS);
  } catch {
    // exifr throws on formats it does not know and on broken structures ("Unknown file format",
    // a zero-byte file's "reading 'getUint16'"); both mean "no usable EXIF".
    return NO_EXIF;
  }
  if (typeof parsed !== 'object' || parsed === null) return NO_EXIF;
  return exifFields(parsed as Tags);
}

/** Maps exifr's raw, merged tags to the fields Shoebox keeps. */
export function exifFields(tags: Tags): ExifFields {
  const orientationTag = tags['Orientation'];
  const original = exifDateTime(tags['DateTimeOriginal'], tags['SubSecTimeOriginal']);
  const digitized = exifDateTime(tags['CreateDate'], tags['SubSecTimeDigitized']);
  return {
    orientation: orientationTag === undefined ? null : normalizeOrientation(orientationTag),
    make: text(tags['Make']),
    model: text(tags['Model']),
    lens: text(tags['LensModel']) ?? text(tags['Lens']),
    gps: gpsFromTags(tags),
    capturedAt: original ?? digitized,
    offsetMinutes: original
      ? parseOffset(tags['OffsetTimeOriginal'])
      : digitized
        ? parseOffset(tags['OffsetTimeDigitized'])
        : null,
  };
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // EXIF ASCII fields are NUL-padded and often space-padded by cameras.
  const trimmed = value.replace(/\0/g, '').trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * EXIF DateTime ('2018:07:25 16:34:23', EXIF 2.32 §4.6.5) and its SubSecTime to
 * '2018-07-25T16:34:23.935'. Blank or zeroed dates ('0000:00:00 00:00:00') are null.
 */
export function exifDateTime(value: unknown, subSec?: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, ...number[]];
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  ) {
    return null;
  }
  if (
    year < 1800 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 60
  ) {
    return null;
  }
  const fraction = typeof subSec === 'string' || typeof subSec === 'number' ? String(subSec).trim() : '';
  const millis = /^\d+$/.test(fraction) ? fraction.padEnd(3, '0').slice(0, 3) : '000';
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}.${millis}`;
}

/** '+02:00', '-0530', 'Z' to minutes east of UTC; anything else is null. */
export function parseOffset(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (trimmed === 'Z') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(trimmed);
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  if (minutes > 14 * 60) return null;
  return match[1] === '-' ? -minutes : minutes;
}

/** Degrees, minutes, seconds (three rationals, EXIF GPSLatitude) to signed decimal degrees. */
export function dmsToDegrees(value: unknown, ref: unknown): number | null {
  const parts = Array.isArray(value) ? value : typeof value === 'number' ? [value] : null;
  if (!parts || parts.length === 0 || !parts.every((p) => typeof p === 'number' && Number.isFinite(p)))
    return null;
  const [degrees = 0, minutes = 0, seconds = 0] = parts as number[];
  const magnitude = degrees + minutes / 60 + seconds / 3600;
  const negative = typeof ref === 'string' && /^[SW]/i.test(ref.trim());
  return negative ? -magnitude : magnitude;
}

function gpsFromTags(tags: Tags): GpsPosition | null {
  const latitude = dmsToDegrees(tags['GPSLatitude'], tags['GPSLatitudeRef']);
  const longitude = dmsToDegrees(tags['GPSLongitude'], tags['GPSLongitudeRef']);
  if (latitude === null || longitude === null) return null;
  let altitude: number | null = null;
  const rawAltitude = tags['GPSAltitude'];
  if (typeof rawAltitude === 'number' && Number.isFinite(rawAltitude)) {
    // GPSAltitudeRef is a BYTE: 1 = below sea level. exifr gives it as a number or a 1-byte array.
    const ref = tags['GPSAltitudeRef'];
    const below =
      ref === 1 || (ref instanceof Uint8Array && ref[0] === 1) || (Array.isArray(ref) && ref[0] === 1);
    altitude = below ? -rawAltitude : rawAltitude;
  }
  return validPosition(latitude, longitude, altitude);
}

/**
 * A position, or null when it cannot be a fix: out of range, or exactly 0°, 0° ("Null Island"),
 * which phones without a fix write (the Galaxy S sample in the corpus does).
 */
export function validPosition(
  latitude: number,
  longitude: number,
  altitude: number | null,
): GpsPosition | null {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  if (latitude === 0 && longitude === 0) return null;
  return { latitude, longitude, altitude };
}

/**
 * The EXIF block of a PNG (eXIf chunk, PNG 1.5 / Extensions §3.7) or a WebP (RIFF 'EXIF' chunk)
 * as bare TIFF bytes for {@link readExif}; exifr reads neither container's EXIF by itself. Walks
 * the chunk headers only, since a PNG's eXIf may follow megabytes of IDAT.
 */
export async function readEmbeddedExif(source: ByteSource): Promise<Uint8Array | null> {
  const head = new Reader(await source.read(0, 16));
  if (head.latin1(0, 8) === '\x89PNG\r\n\x1a\n') {
    let at = 8;
    for (let chunks = 0; at + 8 <= source.size && chunks < MAX_CHUNKS; chunks += 1) {
      const chunk = new Reader(await source.read(at, 8));
      const length = chunk.u32(0);
      const type = chunk.latin1(4, 4);
      if (length === null || type === 'IEND') return null;
      if (type === 'eXIf')
        return stripExifHeader(await source.read(at + 8, Math.min(length, MAX_EXIF_BYTES)));
      at += 12 + length;
    }
    return null;
  }
  if (head.latin1(0, 4) === 'RIFF' && head.latin1(8, 4) === 'WEBP') {
    let at = 12;
    for (let chunks = 0; at + 8 <= source.size && chunks < MAX_CHUNKS; chunks += 1) {
      const chunk = await source.read(at, 8);
      if (chunk.length < 8) return null;
      const type = String.fromCharCode(...chunk.subarray(0, 4));
      const length = new DataView(chunk.buffer, chunk.byteOffset, 8).getUint32(4, true);
      if (type === 'EXIF')
        return stripExifHeader(await source.read(at + 8, Math.min(length, MAX_EXIF_BYTES)));
      // RIFF chunks are padded to an even length.
      at += 8 + length + (length % 2);
    }
  }
  return null;
}

/** EXIF is limited to 64 KB in JPEG; a larger claim in a PNG or WebP is damage. */
const MAX_EXIF_BYTES = 1024 * 1024;
const MAX_CHUNKS = 100_000;

/** Some writers keep JPEG's "Exif\0\0" APP1 prefix inside PNG and WebP chunks. */
function stripExifHeader(bytes: Uint8Array): Uint8Array {
  const prefixed = bytes.length > 6 && String.fromCharCode(...bytes.subarray(0, 6)) === 'Exif\0\0';
  return prefixed ? bytes.subarray(6) : bytes;
}
