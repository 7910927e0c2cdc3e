import { checkLimits, mediaKindOf, type Limits } from '../../shared/limits';
import { ApiError } from '../errors';

/**
 * The limits of DESIGN §2 as errors: 415 for what is not a photo or video (an empty file is
 * neither), 413 for too many bytes or pixels, each with the sentence naming the limit.
 */
export function enforceLimits(
  limits: Limits,
  file: { mimeType: string; bytes: number; pixels?: number | undefined },
): void {
  const check = checkLimits(limits, file);
  if (check.ok) return;
  const notMedia = file.bytes === 0 || mediaKindOf(file.mimeType) === null;
  throw new ApiError(notMedia ? 'UNSUPPORTED_TYPE' : 'TOO_LARGE', check.reason);
}

/** The largest upload any type may be. */
export const largestUpload = (limits: Limits): number => Math.max(limits.maxPhotoBytes, limits.maxVideoBytes);

/**
 * The limits as far as they can be told when an upload is created: by the type the client
 * declared when it names a photo or video, else by the largest limit (a generic tus client may
 * declare nothing, or `application/octet-stream`). Finishing checks again with the sniffed type.
 */
export function enforceDeclaredLimits(
  limits: Limits,
  file: { declaredType: string | null; bytes: number },
): void {
  const declared =
    file.declaredType !== null && mediaKindOf(file.declaredType) !== null ? file.declaredType : null;
  const largest = limits.maxVideoBytes >= limits.maxPhotoBytes ? 'video/*' : 'image/*';
  enforceLimits(limits, { mimeType: declared ?? largest, bytes: file.bytes });
}
