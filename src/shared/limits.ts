/** Limits of DESIGN §2. The server owns them and serves them at `GET /api/config`. */
export interface Limits {
  /** Largest photo in bytes. */
  maxPhotoBytes: number;
  /** Largest photo in pixels (width × height). */
  maxPhotoPixels: number;
  /** Largest video in bytes. */
  maxVideoBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxPhotoBytes: 75_000_000,
  maxPhotoPixels: 100_000_000,
  maxVideoBytes: 10_000_000_000,
};

/** Why a file is skipped before its limits are even asked: the app and the CLI say it alike. */
export const EMPTY_FILE_REASON = 'This file is empty.';
export const UNKNOWN_TYPE_REASON = "This isn't a photo or video Shoebox can back up.";

export type MediaKind = 'photo' | 'video';

export function mediaKindOf(mimeType: string): MediaKind | null {
  if (mimeType.startsWith('image/')) return 'photo';
  if (mimeType.startsWith('video/')) return 'video';
  return null;
}

/** "75 MB", "12.3 GB": decimal units, as phones and Google Photos show sizes. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const rounded = value >= 100 || Number.isInteger(value) ? Math.round(value).toString() : value.toFixed(1);
  return `${rounded.replace(/\.0$/, '')} ${units[unit]}`;
}

/** "100 megapixels", "120.4 MP". */
export function formatMegapixels(pixels: number): string {
  return `${(pixels / 1_000_000).toFixed(1).replace(/\.0$/, '')} MP`;
}

export type LimitCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a file against the limits before any byte is sent (and again on the server).
 * `pixels` is optional: the server only knows it once the upload has finished.
 */
export function checkLimits(
  limits: Limits,
  file: { mimeType: string; bytes: number; pixels?: number | undefined },
): LimitCheck {
  const kind = mediaKindOf(file.mimeType);
  if (file.bytes === 0) return { ok: false, reason: 'The file is empty.' };
  if (kind === null) return { ok: false, reason: 'Only photos and videos can be backed up.' };
  if (kind === 'photo') {
    if (file.bytes > limits.maxPhotoBytes) {
      return {
        ok: false,
        reason: `Photos can't exceed ${formatBytes(limits.maxPhotoBytes)} (${formatBytes(file.bytes)}).`,
      };
    }
    if (file.pixels !== undefined && file.pixels > limits.maxPhotoPixels) {
      return {
        ok: false,
        reason: `Larger than ${limits.maxPhotoPixels / 1_000_000} megapixels (${formatMegapixels(file.pixels)}).`,
      };
    }
    return { ok: true };
  }
  if (file.bytes > limits.maxVideoBytes) {
    return {
      ok: false,
      reason: `Videos can't exceed ${formatBytes(limits.maxVideoBytes)} (${formatBytes(file.bytes)}).`,
    };
  }
  return { ok: true };
}
