/**
 * Thumbnails: two WebP sizes of the upright picture. A file that cannot be decoded gets a
 * placeholder result with a reason, never an exception, so the job that asked is done with it.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Metadata, OutputInfo, Sharp, SharpOptions } from 'sharp';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { bufferSource, withFile } from './bytes';
import { readExif } from './exif';
import { readHeifContainer } from './heif-container';
import type { HeifPrimary } from './heif-container';
import { decodeHeifPrimary } from './heif-decoder';
import { normalizeOrientation, orientationSteps, orientedSize } from './orientation';
import type { Orientation } from './orientation';
import { isAvif, isHeic, probe } from './probe';
import { rgbTiff } from './tiff';

/** Longest side of each thumbnail in pixels; smaller pictures are never enlarged. */
export const THUMBNAIL_SIZES = { small: 320, large: 1280 } as const;

export interface Thumbnail {
  data: Buffer;
  width: number;
  height: number;
}

export type PlaceholderCode = 'empty' | 'video' | 'unsupported' | 'undecodable' | 'too-large' | 'timeout';

export type ThumbnailResult =
  | {
      status: 'ok';
      mimeType: 'image/webp';
      small: Thumbnail;
      large: Thumbnail;
      /** The full picture's size, upright. */
      width: number;
      height: number;
    }
  | {
      status: 'placeholder';
      code: PlaceholderCode;
      /** A sentence for the user. */
      reason: string;
      /** What the decoder said, for the log. */
      detail: string | null;
    };

export interface ImagingOptions {
  /** Pictures with more pixels are not decoded (DESIGN §2: 100 MP). */
  maxPixels?: number;
  /** Per decoding step. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const REASONS: Record<PlaceholderCode, string> = {
  empty: 'The file is empty.',
  video: 'Videos show the poster frame taken when they were added.',
  unsupported: 'This type of file has no preview.',
  undecodable: "This photo can't be read; it may be damaged. The original is kept as it was.",
  'too-large': 'This photo is too large for a preview. The original is kept as it was.',
  timeout: 'Making the preview took too long. The original is kept as it was.',
};

/** HEIC files past this are refused before being read into memory (4× the 75 MB upload limit). */
const MAX_HEIF_FILE_BYTES = 4 * DEFAULT_LIMITS.maxPhotoBytes;

function placeholder(code: PlaceholderCode, detail: string | null = null): ThumbnailResult {
  return { status: 'placeholder', code, reason: REASONS[code], detail };
}

/** What a video gets: its preview is the poster frame the browser sends. */
export const VIDEO_PLACEHOLDER: ThumbnailResult = placeholder('video');

/**
 * Makes the small and large WebP thumbnails of a photo, EXIF orientation applied (HEIF: the
 * container's irot/imir, else EXIF). Videos get a placeholder: their poster comes from the browser
 * and the server needs no ffmpeg. Throws only for I/O errors (a missing file) and aborts.
 */
export async function makeThumbnails(
  path: string,
  mimeType: string,
  options: ImagingOptions = {},
): Promise<ThumbnailResult> {
  const maxPixels = options.maxPixels ?? DEFAULT_LIMITS.maxPhotoPixels;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const file = await probe(path, mimeType);
  options.signal?.throwIfAborted();
  if (file.size === 0) return placeholder('empty');
  if (file.kind === 'video') return VIDEO_PLACEHOLDER;
  if (file.kind !== 'photo') return placeholder('unsupported', file.mimeType);

  if (isHeic(file.mimeType)) return heicThumbnails(path, file.size, { ...options, maxPixels, timeoutMs });

  const input: SharpOptions = {
    limitInputPixels: maxPixels,
    sequentialRead: true,
    // Refuse what libvips calls errors, truncation included: decoded anyway (failOn 'none'), the
    // corpus' truncated 32d08f….jpg is coloured noise, worse than a placeholder. Warnings (such as
    // libjpeg's "extraneous bytes before marker", common in phone files) do not damage the
    // picture, so they pass, unlike with sharp's default 'warning'.
    failOn: 'error',
  };
  let orientation: Orientation | 'exif' = 'exif';
  if (isAvif(file.mimeType)) {
    // libvips's AVIF loader (libheif) applies irot/imir; EXIF counts only where they are absent.
    const container = await withFile(path, (source) => readHeifContainer(source));
    if (!container.ok) return placeholder('undecodable', container.reason);
    if (container.primary.width * container.primary.height > maxPixels) {
      return placeholder('too-large', `${container.primary.width}x${container.primary.height}`);
    }
    orientation = await heifExifOrientation(container.primary, path);
  }
  return renderFile(path, input, orientation, timeoutMs, options.signal);
}

async function renderFile(
  path: string,
  input: SharpOptions,
  orientation: Orientation | 'exif',
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<ThumbnailResult> {
  try {
    return await render(sharp(path, input), orientation, timeoutMs, signal);
  } catch (error) {
    signal?.throwIfAborted();
    const failure = classify(error);
    return placeholder(failure.code, failure.detail);
  }
}

async function heicThumbnails(
  path: string,
  size: number,
  options: ImagingOptions & { maxPixels: number; timeoutMs: number },
): Promise<ThumbnailResult> {
  if (size > MAX_HEIF_FILE_BYTES) return placeholder('too-large', `${size} bytes`);
  const bytes = await readFile(path);
  const container = await readHeifContainer(bufferSource(bytes));
  if (!container.ok) return placeholder('undecodable', container.reason);
  const { primary } = container;
  if (primary.width * primary.height > options.maxPixels) {
    return placeholder('too-large', `${primary.width}x${primary.height}`);
  }
  const orientation = await heifExifOrientation(primary, bytes);
  const decoded = await decodeHeifPrimary(bytes, {
    maxPixels: options.maxPixels,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  if (!decoded.ok) return placeholder(decoded.code, decoded.detail);

  const raw = { width: decoded.width, height: decoded.height, channels: decoded.channels };
  const image = sharp(decoded.pixels, { raw, limitInputPixels: options.maxPixels });
  try {
    return await render(image, orientation, options.timeoutMs, options.signal, primary.icc);
  } catch (error) {
    options.signal?.throwIfAborted();
    const failure = classify(error);
    return placeholder(failure.code, failure.detail);
  }
}

/**
 * The EXIF orientation still to apply to what libheif decodes. libheif applies the container's
 * irot/imir and never looks at EXIF (libvips drops the EXIF Orientation of HEIF for that reason).
 * iPhones write irot and an EXIF Orientation that says the same thing, so with irot/imir present
 * EXIF is ignored: applying it too would turn the picture twice. Samsung phones write no irot
 * (the S24 FE sample has a blanked 9-byte 'free' box in ipco and a 0 ipma index where it would
 * be) and put the turn in EXIF Orientation only, so without irot/imir EXIF is applied, as for a
 * JPEG; Immich had the same report (immich-app/immich#31617).
 */
export async function heifExifOrientation(
  primary: HeifPrimary,
  input: string | Uint8Array,
): Promise<Orientation> {
  if (primary.orientedByContainer) return 1;
  const exif = await readExif(input);
  return exif.orientation ?? 1;
}

async function render(
  image: Sharp,
  orientation: Orientation | 'exif',
  timeoutMs: number,
  signal: AbortSignal | undefined,
  /** The profile of raw input, applied once the pixels are down to the large size. */
  icc: Uint8Array | null = null,
): Promise<ThumbnailResult> {
  const timeout = { seconds: Math.max(1, Math.ceil(timeoutMs / 1000)) };
  const source = uprightSize(await image.metadata(), orientation);
  let upright = image.timeout(timeout);
  if (orientation === 'exif') {
    // libvips reads Orientation from the file (JPEG, PNG eXIf, WebP, TIFF) and treats the
    // invalid 0 as 1.
    upright = upright.autoOrient();
  } else {
    const steps = orientationSteps(normalizeOrientation(orientation));
    upright = upright.flip(steps.flip).flop(steps.flop);
    if (steps.rotate !== 0) upright = upright.rotate(steps.rotate);
  }
  // Decode once (JPEG shrink-on-load keeps this cheap), at the large size; the small one is made
  // from those pixels rather than from the original again.
  const resized = await upright
    .resize({
      width: THUMBNAIL_SIZES.large,
      height: THUMBNAIL_SIZES.large,
      fit: 'inside',
      withoutEnlargement: true,
    })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  signal?.throwIfAborted();
  const { data, info } = icc ? await toSrgb(resized.data, resized.info, icc, timeout) : resized;
  const raw = { width: info.width, height: info.height, channels: info.channels };
  // WebP effort 2 instead of the default 4: half the encoding CPU for files about 1.5% larger
  // (measured on the corpus' 12 MP Pixel photo at 1280 px).
  const large = await sharp(data, { raw })
    .timeout(timeout)
    .webp({ quality: 80, effort: 2 })
    .toBuffer({ resolveWithObject: true });
  signal?.throwIfAborted();
  const small = await sharp(data, { raw })
    .timeout(timeout)
    .resize({
      width: THUMBNAIL_SIZES.small,
      height: THUMBNAIL_SIZES.small,
      fit: 'inside',
      withoutEnlargement: true,
    })
    .webp({ quality: 75, effort: 2 })
    .toBuffer({ resolveWithObject: true });
  return {
    status: 'ok',
    mimeType: 'image/webp',
    large: { data: large.data, width: large.info.width, height: large.info.height },
    small: { data: small.data, width: small.info.width, height: small.info.height },
    width: source.width,
    height: source.height,
  };
}

/**
 * Converts raw pixels in the colour space of `icc` (iPhone HEICs: Display P3) to sRGB. Done on
 * the large thumbnail's pixels, not the full picture's: the transform costs per pixel, and
 * resizing before or after it differs by less than a rounding step.
 */
export async function toSrgb(
  pixels: Buffer,
  info: OutputInfo,
  icc: Uint8Array,
  timeout: { seconds: number },
): Promise<{ data: Buffer; info: OutputInfo }> {
  if (info.channels !== 3 && info.channels !== 4) return { data: pixels, info };
  return sharp(rgbTiff(pixels, info.width, info.height, info.channels, icc))
    .timeout(timeout)
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
}

/** The full picture's upright size, from the header sharp reads anyway. */
function uprightSize(
  metadata: Metadata,
  orientation: Orientation | 'exif',
): { width: number; height: number } {
  if (orientation === 'exif') return metadata.autoOrient;
  return orientedSize(metadata.width, metadata.height, normalizeOrientation(orientation));
}

function classify(error: unknown): { code: PlaceholderCode; detail: string } {
  const detail = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(detail)) return { code: 'too-large', detail };
  if (/timeout/i.test(detail)) return { code: 'timeout', detail };
  return { code: 'undecodable', detail };
}
