/**
 * Server-side imaging: thumbnails (sharp; HEIC through libheif in WebAssembly) and per-asset
 * metadata (EXIF, HEIF container, MP4/QuickTime/WebM headers). No ffmpeg, no native HEVC.
 */
export { makeThumbnails, THUMBNAIL_SIZES, VIDEO_PLACEHOLDER } from './thumbnails';
export type { ImagingOptions, PlaceholderCode, Thumbnail, ThumbnailResult } from './thumbnails';
export { readMetadata, readVideoMetadata } from './metadata';
export type { ByteSource } from './bytes';
export type { MediaMetadata, PhotoMetadata, VideoMetadata } from './metadata';
export type { GpsPosition } from './exif';
export { closeHeifDecoder } from './heif-decoder';
export {
  normalizeOrientation,
  orientationSteps,
  orientedSize,
  orientPoint,
  swapsDimensions,
} from './orientation';
export type { Orientation, QuarterTurn } from './orientation';
