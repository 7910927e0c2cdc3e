/**
 * Non-destructive edits as pixels: the edited version of a photo (upright, then turned by the
 * user's rotation) rendered from the original on request, and a stored thumbnail turned the same
 * way. The original's bytes are never rewritten; the edit is a number beside the asset.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { bufferSource, withFile } from './bytes';
import { readHeifContainer } from './heif-container';
import { decodeHeifPrimary } from './heif-decoder';
import { normalizeOrientation, orientationSteps, type QuarterTurn } from './orientation';
import { isAvif, isHeic, probe } from './probe';
import { rgbTiff } from './tiff';
import { heifExifOrientation } from './thumbnails';

export type EditedResult =
  | { status: 'ok'; data: Buffer; mimeType: 'image/jpeg' | 'image/png' | 'image/webp'; extension: string }
  | { status: 'unreadable'; detail: string };

export interface EditOptions {
  maxPixels: number;
  timeoutMs?: number;
  /** 'keep': the original's EXIF (its Orientation made 1); 'strip': none at all (a public link hiding details or place). */
  metadata: 'keep' | 'strip';
}

/** Formats the edited version keeps from the original; everything else (HEIC, AVIF, TIFF…) becomes a JPEG. */
function outputOf(mimeType: string): {
  mimeType: 'image/jpeg' | 'image/png' | 'image/webp';
  extension: string;
} {
  if (mimeType === 'image/png') return { mimeType, extension: 'png' };
  if (mimeType === 'image/webp') return { mimeType, extension: 'webp' };
  return { mimeType: 'image/jpeg', extension: 'jpg' };
}

function encode(image: Sharp, mimeType: 'image/jpeg' | 'image/png' | 'image/webp'): Sharp {
  switch (mimeType) {
    case 'image/png':
      return image.png();
    case 'image/webp':
      return image.webp({ quality: 92 });
    case 'image/jpeg':
      return image.jpeg({ quality: 92, chromaSubsampling: '4:4:4' });
  }
}

/**
 * The whole photo at `path`, upright as the file says, then turned `rotation` clockwise. EXIF is
 * kept when asked (dates, camera, place: the owner's own download) with its Orientation made 1,
 * since the pixels are now upright; HEIC's is not carried over (its pixels come from libheif).
 */
export async function renderEdited(
  path: string,
  mimeType: string,
  rotation: QuarterTurn,
  options: EditOptions,
): Promise<EditedResult> {
  const timeout = { seconds: Math.max(1, Math.ceil((options.timeoutMs ?? 120_000) / 1000)) };
  const file = await probe(path, mimeType);
  if (file.kind !== 'photo' || file.size === 0) return { status: 'unreadable', detail: file.mimeType };
  const output = outputOf(file.mimeType);
  try {
    let image: Sharp;
    if (isHeic(file.mimeType)) {
      const bytes = await readFile(path);
      const container = await readHeifContainer(bufferSource(bytes));
      if (!container.ok) return { status: 'unreadable', detail: container.reason };
      const orientation = await heifExifOrientation(container.primary, bytes);
      const decoded = await decodeHeifPrimary(bytes, {
        maxPixels: options.maxPixels,
        timeoutMs: options.timeoutMs ?? 120_000,
      });
      if (!decoded.ok) return { status: 'unreadable', detail: decoded.detail };
      const { icc } = container.primary;
      // The camera's colour profile travels as a TIFF around the pixels (see tiff.ts).
      image = icc
        ? sharp(rgbTiff(decoded.pixels, decoded.width, decoded.height, decoded.channels, icc), {
            limitInputPixels: options.maxPixels,
          }).toColourspace('srgb')
        : sharp(decoded.pixels, {
            raw: { width: decoded.width, height: decoded.height, channels: decoded.channels },
            limitInputPixels: options.maxPixels,
          });
      image = turned(image, orientation, rotation);
    } else {
      image = sharp(path, { limitInputPixels: options.maxPixels, failOn: 'error' });
      if (isAvif(file.mimeType)) {
        const container = await withFile(path, (source) => readHeifContainer(source));
        if (!container.ok) return { status: 'unreadable', detail: container.reason };
        image = turned(image, await heifExifOrientation(container.primary, path), rotation);
      } else {
        image = image.autoOrient();
        if (rotation !== 0) image = image.rotate(rotation);
        if (options.metadata === 'keep')
          image = image.keepExif().withExifMerge({ IFD0: { Orientation: '1' } });
      }
    }
    const data = await encode(image.timeout(timeout), output.mimeType).toBuffer();
    return { status: 'ok', data, ...output };
  } catch (error) {
    return { status: 'unreadable', detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Mirrors and turns pixels that carry no orientation of their own: sharp mirrors first, then makes one turn. */
function turned(image: Sharp, orientation: number, rotation: QuarterTurn): Sharp {
  const steps = orientationSteps(normalizeOrientation(orientation));
  const angle = (steps.rotate + rotation) % 360;
  let result = image.flip(steps.flip).flop(steps.flop);
  if (angle !== 0) result = result.rotate(angle);
  return result;
}

/** A stored (upright) WebP thumbnail turned `rotation` clockwise, at the quality it was made with. */
export async function rotateThumbnail(webp: Buffer, rotation: QuarterTurn, quality: number): Promise<Buffer> {
  if (rotation === 0) return webp;
  return sharp(webp).rotate(rotation).webp({ quality, effort: 2 }).toBuffer();
}
