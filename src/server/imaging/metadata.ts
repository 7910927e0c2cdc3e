/**
 * What Shoebox stores per asset (issue 4): size after orientation, camera, lens, position,
 * capture time with its offset, duration. Reads headers only, never decodes pixels.
 */
import sharp from 'sharp';
import { withFile, type ByteSource } from './bytes';
import { NO_EXIF, readEmbeddedExif, readExif } from './exif';
import type { ExifFields, GpsPosition } from './exif';
import { readHeifContainer } from './heif-container';
import { normalizeOrientation, orientedSize } from './orientation';
import type { Orientation, QuarterTurn } from './orientation';
import { isAvif, isHeic, probe } from './probe';
import { NO_VIDEO_FIELDS, readBmffVideo, readWebm } from './video';
import type { VideoFields } from './video';

interface CommonMetadata {
  /** The sniffed type (the caller's when the bytes match nothing known). */
  mimeType: string;
  /** Upright size: EXIF orientation or the track rotation applied. Null when unreadable. */
  width: number | null;
  height: number | null;
  make: string | null;
  model: string | null;
  gps: GpsPosition | null;
  /** Wall-clock capture time 'YYYY-MM-DDTHH:mm:ss.sss' without a zone, as the camera showed it. */
  capturedAt: string | null;
  /** Minutes east of UTC for `capturedAt` where the file says (EXIF OffsetTimeOriginal; 0 for a video's UTC mvhd time). */
  offsetMinutes: number | null;
}

export interface PhotoMetadata extends CommonMetadata {
  kind: 'photo';
  /** The EXIF orientation applied to the stored pixels (1 for HEIF turned by its container). */
  orientation: Orientation;
  lens: string | null;
}

export interface VideoMetadata extends CommonMetadata {
  kind: 'video';
  /** Clockwise turn the player applies (tkhd matrix). */
  rotation: QuarterTurn;
  durationSeconds: number | null;
}

export type MediaMetadata = PhotoMetadata | VideoMetadata;

/**
 * Reads the metadata of a photo or video. Damaged or unknown content gives nulls, not an error;
 * throws for I/O errors and for a type that is neither a photo nor a video (the upload hook
 * refuses those first).
 */
export async function readMetadata(path: string, mimeType: string): Promise<MediaMetadata> {
  const file = await probe(path, mimeType);
  if (file.kind === null) throw new RangeError(`${file.mimeType} is neither a photo nor a video`);
  if (file.kind === 'video') {
    if (file.size === 0) return { kind: 'video', mimeType: file.mimeType, ...NO_VIDEO_FIELDS };
    return withFile(path, (source) => readVideoMetadata(source, file.mimeType));
  }
  if (file.size === 0) return photo(file.mimeType, { width: null, height: null }, 1, NO_EXIF);

  if (isHeic(file.mimeType) || isAvif(file.mimeType)) {
    const [container, exif] = await Promise.all([withFile(path, readHeifContainer), readExif(path)]);
    if (!container.ok) return photo(file.mimeType, { width: null, height: null }, 1, exif);
    // See heifExifOrientation in thumbnails.ts: irot/imir win, EXIF counts only without them.
    const orientation = container.primary.orientedByContainer ? 1 : (exif.orientation ?? 1);
    const size = orientedSize(container.primary.width, container.primary.height, orientation);
    return photo(file.mimeType, size, orientation, exif);
  }

  const [header, exif] = await Promise.all([rasterHeader(path), rasterExif(path, file.mimeType)]);
  return photo(file.mimeType, header.size, header.orientation, exif);
}

function photo(
  mimeType: string,
  size: { width: number | null; height: number | null },
  orientation: Orientation,
  exif: ExifFields,
): PhotoMetadata {
  return {
    kind: 'photo',
    mimeType,
    width: size.width,
    height: size.height,
    orientation,
    make: exif.make,
    model: exif.model,
    lens: exif.lens,
    gps: exif.gps,
    capturedAt: exif.capturedAt,
    offsetMinutes: exif.offsetMinutes,
  };
}

/** Size and orientation as sharp will apply them when making the thumbnails. */
async function rasterHeader(
  path: string,
): Promise<{ size: { width: number | null; height: number | null }; orientation: Orientation }> {
  try {
    // Only the header is read, so no pixel limit here: with sharp's default (268 MP) a header
    // declaring more was refused, the size became unknown and the upload's pixel limit was
    // skipped (issue 18, finding 7: a 68-byte PNG declaring 50,000 × 50,000 was stored). The
    // limits apply to the size read here; decoding (thumbnails) keeps sharp's limit.
    const metadata = await sharp(path, { limitInputPixels: false }).metadata();
    const orientation = normalizeOrientation(metadata.orientation);
    return { size: orientedSize(metadata.width, metadata.height, orientation), orientation };
  } catch {
    // libvips cannot read the header ("corrupt header", unknown format): the size is unknown;
    // the thumbnail job will give this file a placeholder.
    return { size: { width: null, height: null }, orientation: 1 };
  }
}

async function rasterExif(path: string, mimeType: string): Promise<ExifFields> {
  if (mimeType === 'image/png' || mimeType === 'image/webp') {
    const tiff = await withFile(path, readEmbeddedExif);
    return tiff ? readExif(tiff) : NO_EXIF;
  }
  return readExif(path);
}

/**
 * The metadata of a video of type `mimeType` (sniffed) from its bytes wherever they are: a few
 * ranged reads, at its start or after its media data (an object in S3 is not read whole).
 */
export async function readVideoMetadata(source: ByteSource, mimeType: string): Promise<VideoMetadata> {
  return { kind: 'video', mimeType, ...(await readVideoFields(source, mimeType)) };
}

async function readVideoFields(source: ByteSource, mimeType: string): Promise<VideoFields> {
  if (mimeType === 'video/webm' || mimeType === 'video/x-matroska') return readWebm(source);
  if (/^video\/(mp4|quicktime|3gpp2?|x-m4v)$/.test(mimeType)) return readBmffVideo(source);
  return NO_VIDEO_FIELDS;
}
