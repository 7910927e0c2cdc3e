import { readCaptureDate } from '../media/exif';
import { sha256OfBlob } from '../media/hash';
import { sniffBlob } from '../media/sniffBlob';
import { checkLimits } from '../shared/limits';
import type { Limits } from '../shared/limits';
import type { PreparedFields } from './queueDb';

export const EMPTY_FILE_REASON = 'This file is empty.';
export const UNKNOWN_TYPE_REASON = "This isn't a photo or video Shoebox can back up.";

export type PrepareResult = { kind: 'ready'; fields: PreparedFields } | { kind: 'skipped'; reason: string };

export interface PrepareInput {
  blob: Blob;
  /** File.lastModified at pick time, the capture date when EXIF has none. */
  lastModified: number | null;
  limits: Limits;
  signal?: AbortSignal | undefined;
}

/**
 * Everything that happens to a file before a byte is sent: its real type from magic bytes, the
 * limits, its SHA-256 streamed in chunks and its capture date. Read errors and aborts reject.
 */
export async function prepareFile(input: PrepareInput): Promise<PrepareResult> {
  const { blob, limits, signal } = input;
  if (blob.size === 0) return { kind: 'skipped', reason: EMPTY_FILE_REASON };
  const sniffed = await sniffBlob(blob);
  if (sniffed === null) return { kind: 'skipped', reason: UNKNOWN_TYPE_REASON };
  const limit = checkLimits(limits, { mimeType: sniffed.mimeType, bytes: blob.size });
  if (!limit.ok) return { kind: 'skipped', reason: limit.reason };

  const sha256 = await sha256OfBlob(blob, { signal });
  // exifr reads EXIF from photos only (JPEG, HEIF, AVIF); videos fall back to the file's date.
  const exifDate = sniffed.kind === 'photo' ? await readCaptureDate(blob) : null;
  signal?.throwIfAborted();
  const fileDate = input.lastModified === null ? null : new Date(input.lastModified).toISOString();
  return {
    kind: 'ready',
    fields: {
      type: sniffed.mimeType,
      // Without Storage saver the bytes uploaded are the bytes picked.
      sourceSha256: sha256,
      sha256,
      capturedAt: exifDate ?? fileDate,
    },
  };
}
