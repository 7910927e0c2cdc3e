import imageCompression from 'browser-image-compression';
import { blobReader } from './dimensions';
import type { PhotoDimensions } from './dimensions';
import { readExifSegment, withExifSegment } from './exifSegment';
import { IMAGE_COMPRESSION_LIB_FILE } from './imageCompressionLib';

/** Storage saver's cap: photos over 16 megapixels are resized to it (DESIGN §1 Settings). */
export const SAVER_MAX_PIXELS = 16_000_000;

/**
 * JPEG quality of the Storage saver copy: visually close to the original at typical phone
 * resolutions while usually halving a camera JPEG (camera JPEGs are saved near quality 95).
 */
export const SAVER_JPEG_QUALITY = 0.82;

export const NOTE_ALREADY_SMALLER = 'Kept the original: it was already smaller.';
export const NOTE_ANIMATED = 'Kept the original: compressing it would lose its animation.';
export const NOTE_LOSSLESS = 'Kept the original: PNG keeps exact pixels and transparency.';
export const NOTE_COMPACT = 'Kept the original: it is already in a compact format.';
export const NOTE_JPEG_ONLY = 'Kept the original: Storage saver compresses JPEG photos only.';

export function noteCannotDecode(mimeType: string): string {
  const format = FORMAT_NAMES[mimeType];
  return format === undefined
    ? "Uploaded in original quality: this browser couldn't decode this photo."
    : `Uploaded in original quality: this browser can't decode ${format}.`;
}

/** Formats that most browsers cannot decode (Safari alone decodes HEIC). */
const FORMAT_NAMES: Record<string, string> = {
  'image/heic': 'HEIC',
  'image/heif': 'HEIF',
  'image/tiff': 'TIFF',
};

/**
 * The longest side that brings a photo to at most `maxPixels` while keeping its aspect ratio, or
 * undefined when it is already within. The library scales the longer side to this and the shorter
 * side in proportion, truncating both, so width × height stays at or under the cap.
 */
export function maxSideFor(dimensions: PhotoDimensions, maxPixels = SAVER_MAX_PIXELS): number | undefined {
  const { width, height } = dimensions;
  if (width * height <= maxPixels) return undefined;
  const scale = Math.sqrt(maxPixels / (width * height));
  return Math.floor(Math.max(width, height) * scale);
}

export type SaverResult = { kind: 'compressed'; blob: Blob } | { kind: 'original'; note: string };

export interface SaverInput {
  blob: Blob;
  /** The sniffed type. */
  mimeType: string;
  /** From the headers; null when they did not say (the photo is then not resized). */
  dimensions: PhotoDimensions | null;
  animated: boolean;
  signal?: AbortSignal | undefined;
}

function libraryUrl(): string {
  // `location` is the page's, the worker script's or the service worker's: all share the app's origin.
  return new URL(`${import.meta.env.BASE_URL}${IMAGE_COMPRESSION_LIB_FILE}`, location.href).href;
}

/**
 * The Storage saver copy of a JPEG photo: re-encoded at SAVER_JPEG_QUALITY, resized to 16 MP
 * when larger, with the original's EXIF (orientation reset to 1, as the pixels are turned upright)
 * kept. The original is kept, with a note for the user, for other formats (animation or PNG's
 * exact pixels would be lost, WebP and AVIF are compact already, HEIC is not decodable in most
 * browsers), when the browser cannot decode it, or when the copy would be larger.
 * Runs in whatever thread calls it: never spawns a worker (it is already in one).
 */
export async function saverCopy(input: SaverInput): Promise<SaverResult> {
  const { blob, mimeType, dimensions, animated, signal } = input;
  if (animated) return { kind: 'original', note: NOTE_ANIMATED };
  // Only JPEG is re-encoded: the copy then keeps the item's type, and its EXIF segment can be
  // carried over as is. WebP and AVIF are already compact; PNG is chosen for exact pixels.
  if (mimeType === 'image/png') return { kind: 'original', note: NOTE_LOSSLESS };
  if (mimeType === 'image/webp' || mimeType === 'image/avif') return { kind: 'original', note: NOTE_COMPACT };
  if (mimeType in FORMAT_NAMES) return { kind: 'original', note: noteCannotDecode(mimeType) };
  if (mimeType !== 'image/jpeg') return { kind: 'original', note: NOTE_JPEG_ONLY };

  // The library checks `file.type` (it refuses a Blob whose type is not image/*), so the
  // sniffed type is set here; a File made from a Blob shares its bytes rather than copying them.
  const typed = new File([blob], 'photo', { type: mimeType });
  let compressed: Blob;
  try {
    compressed = await imageCompression(typed, {
      useWebWorker: false,
      libURL: libraryUrl(),
      fileType: 'image/jpeg',
      initialQuality: SAVER_JPEG_QUALITY,
      maxWidthOrHeight: dimensions === null ? undefined : maxSideFor(dimensions),
      // Only one retry at a lower quality when the copy comes out larger than the original: each
      // pass re-encodes the whole photo, and a larger copy is simply not used.
      maxIteration: 1,
      // EXIF is carried over by readExifSegment below instead of the library's `preserveExif`,
      // whose unbounded segment walk can hang on an odd JPEG (see exifSegment.ts).
      preserveExif: false,
      // The library otherwise reads the whole file once more for its EXIF orientation, which it
      // uses only where the browser does not apply orientation while decoding; every browser that
      // runs this app does (createImageBitmap honours it), and the extra read of every photo
      // goes through the browser process that all the pool's workers share.
      exifOrientation: 1,
      signal,
    });
  } catch {
    signal?.throwIfAborted();
    // createImageBitmap rejects what the browser cannot decode (HEIC in Chromium, a JPEG with a
    // DNL marker), and the library's fallback, `new Image()`, does not exist in workers. The user
    // still has a photo to keep: it goes up as picked.
    return { kind: 'original', note: noteCannotDecode(mimeType) };
  }
  signal?.throwIfAborted();
  const exif = await readExifSegment(blobReader(blob), blob.size);
  if (exif !== null) compressed = await withExifSegment(compressed, exif);
  if (compressed.size >= blob.size) return { kind: 'original', note: NOTE_ALREADY_SMALLER };
  return { kind: 'compressed', blob: compressed };
}
