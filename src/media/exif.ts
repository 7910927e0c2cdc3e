import { parse } from 'exifr/dist/lite.esm.mjs';

/** "2018:07:25 16:34:23", the EXIF DateTime format (CIPA DC-008 §4.6.5). */
const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
/** "+02:00", the EXIF 2.31 OffsetTime* format. */
const EXIF_OFFSET = /^[+-]\d{2}:\d{2}$/;

/**
 * The EXIF capture time as ISO 8601: with the zone when the camera recorded OffsetTimeOriginal,
 * otherwise the wall-clock time without a zone (what the camera's clock showed). Null when the
 * value is missing, blank ("0000:00:00 00:00:00") or malformed.
 */
export function exifDateToIso(date: unknown, offset?: unknown): string | null {
  if (typeof date !== 'string') return null;
  const match = EXIF_DATE.exec(date.trim());
  if (match === null) return null;
  const [, year, month, day, hour, minute, second] = match;
  if (year === '0000' || month === '00' || day === '00') return null;
  const local = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  return typeof offset === 'string' && EXIF_OFFSET.test(offset.trim()) ? `${local}${offset.trim()}` : local;
}

/**
 * Reads only the capture-date tags of a photo (JPEG, HEIC/HEIF, AVIF). exifr reads a Blob in
 * chunks, so a large photo is not loaded whole. Any failure (no EXIF, a broken file, a format the
 * lite bundle does not read) is a null: the date is a hint and the server reads EXIF again.
 */
export async function readCaptureDate(blob: Blob): Promise<string | null> {
  try {
    const tags = await parse(blob, {
      ifd0: false,
      exif: { pick: ['DateTimeOriginal', 'CreateDate', 'OffsetTimeOriginal'] },
      ifd1: false,
      gps: false,
      interop: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      // Raw strings: exifr would otherwise turn the zone-less wall-clock time into a Date in the
      // device's time zone.
      reviveValues: false,
    });
    if (tags === undefined) return null;
    return (
      exifDateToIso(tags.DateTimeOriginal, tags.OffsetTimeOriginal) ??
      exifDateToIso(tags.CreateDate, tags.OffsetTimeOriginal)
    );
  } catch {
    // Broken or unsupported files have no usable date; that is an expected outcome, not an error.
    return null;
  }
}
