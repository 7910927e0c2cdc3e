import type { PrepareInput, PrepareResult, PreparedFields } from '../queue/preparer';
import { EMPTY_FILE_REASON, UNKNOWN_TYPE_REASON, checkLimits } from '../shared/limits';
import { saverCopy } from './compress';
import { blobReader, isAnimated, readPhotoDimensions } from './dimensions';
import type { PhotoDimensions } from './dimensions';
import { readCaptureDate } from './exif';
import { sha256OfBlob } from './hash';
import { sniffBlob } from './sniffBlob';

export { EMPTY_FILE_REASON, UNKNOWN_TYPE_REASON };

/**
 * Decodes the photo to learn its size, for the formats whose headers did not say. The
 * decoded bitmap is closed at once. Null where the browser cannot decode it (or this runtime has
 * no createImageBitmap): the server checks the limit again once it has the file.
 */
async function decodedDimensions(blob: Blob): Promise<PhotoDimensions | null> {
  if (typeof createImageBitmap !== 'function') return null;
  try {
    const bitmap = await createImageBitmap(blob);
    const dimensions = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return dimensions;
  } catch {
    // Undecodable here (HEIC in Chromium, a corrupt file): unknown size, not a reason to skip.
    return null;
  }
}

/**
 * The Preparer of src/queue/preparer.ts: everything that happens to a file before a byte is sent: its real type from magic bytes, the
 * limits (megapixels from the headers), its SHA-256 streamed in chunks, its capture date and,
 * under Storage saver, the compressed copy. Runtime-neutral: runs in a page, a dedicated worker
 * or the service worker (no DOM). Read errors and aborts reject.
 */
export async function prepareFile(input: PrepareInput): Promise<PrepareResult> {
  const { blob, limits, signal } = input;
  if (blob.size === 0) return { kind: 'skipped', reason: EMPTY_FILE_REASON };
  const sniffed = await sniffBlob(blob);
  if (sniffed === null) return { kind: 'skipped', reason: UNKNOWN_TYPE_REASON };
  const sizeCheck = checkLimits(limits, { mimeType: sniffed.mimeType, bytes: blob.size });
  if (!sizeCheck.ok) return { kind: 'skipped', reason: sizeCheck.reason };

  const isPhoto = sniffed.kind === 'photo';
  const read = blobReader(blob);
  let dimensions: PhotoDimensions | null = null;
  if (isPhoto) {
    dimensions =
      (await readPhotoDimensions(read, blob.size, sniffed.mimeType)) ?? (await decodedDimensions(blob));
    signal?.throwIfAborted();
    const pixels = dimensions === null ? undefined : dimensions.width * dimensions.height;
    const pixelCheck = checkLimits(limits, { mimeType: sniffed.mimeType, bytes: blob.size, pixels });
    if (!pixelCheck.ok) return { kind: 'skipped', reason: pixelCheck.reason };
  }

  const sourceSha256 = await sha256OfBlob(blob, { signal });
  // exifr reads EXIF from photos only (JPEG, HEIF, AVIF); videos fall back to the file's date.
  const exifDate = isPhoto ? await readCaptureDate(blob) : null;
  signal?.throwIfAborted();
  const fileDate = input.lastModified === null ? null : new Date(input.lastModified).toISOString();
  const fields: PreparedFields = {
    type: sniffed.mimeType,
    sourceSha256,
    // Original quality, and videos always: the bytes uploaded are the bytes picked.
    sha256: sourceSha256,
    capturedAt: exifDate ?? fileDate,
  };
  if (!isPhoto || input.quality === 'original') return { kind: 'ready', fields };

  const saved = await saverCopy({
    blob,
    mimeType: sniffed.mimeType,
    dimensions,
    animated: await isAnimated(read, sniffed.mimeType),
    signal,
  });
  if (saved.kind === 'original') return { kind: 'ready', fields: { ...fields, note: saved.note } };
  const sha256 = await sha256OfBlob(saved.blob, { signal });
  return { kind: 'ready', fields: { ...fields, sha256, uploadBlob: saved.blob } };
}
