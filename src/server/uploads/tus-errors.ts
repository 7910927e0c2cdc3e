import fs from 'node:fs/promises';
import { isApiErrorBody } from '../../shared/errors';
import { ApiError, isStorageFull } from '../errors';

interface TusError {
  status_code: number;
  body: string;
}

const isTusError = (value: unknown): value is TusError =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { status_code?: unknown }).status_code === 'number' &&
  typeof (value as { body?: unknown }).body === 'string';

/**
 * Turns one of @tus/server's plain-text errors into the catalogue's. The statuses a tus client
 * acts on survive: 404 (start again), 409 (resume from the server's offset), 412, 413, 460.
 */
export function fromTusStatus(status: number, text: string): ApiError {
  const detail = text.trim().replace(/\.$/, '').slice(0, 200);
  switch (status) {
    case 404:
      return new ApiError('UPLOAD_NOT_FOUND');
    // "The latter one [410 Gone] SHOULD be used if the Server is keeping track of expired uploads."
    case 410:
      return new ApiError('UPLOAD_EXPIRED');
    case 409:
      return new ApiError('UPLOAD_CONFLICT');
    case 412:
      return new ApiError('TUS_VERSION_UNSUPPORTED');
    case 413:
      return new ApiError(
        'TOO_LARGE',
        'The upload is larger than its declared length or this server accepts.',
      );
    case 460:
      return new ApiError('CHECKSUM_MISMATCH');
    default:
      // tus answers a missing Upload-Offset or Content-Type with 403 and an unsupported
      // extension with 501: all are requests this server will not act on.
      if ((status >= 400 && status < 500) || status === 501) {
        return new ApiError('BAD_REQUEST', `The upload request was rejected: ${detail}.`);
      }
      return new ApiError('INTERNAL');
  }
}

/** What a tus hook or handler threw, as the `ApiError` to answer with. */
export function fromTusThrown(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isStorageFull(error)) return new ApiError('STORAGE_FULL');
  if (isTusError(error)) return fromTusStatus(error.status_code, error.body);
  return new ApiError('INTERNAL');
}

/** Free bytes under which a failed write is taken for a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * fromTusThrown, and a store's write failure on a full disk as STORAGE_FULL: FileStore turns
 * ENOSPC while writing a body into its plain FILE_WRITE_ERROR (a 500, the errno gone), so the
 * disk of `directory` is asked (issue 18, the fault suite: a 500 when three uploads passed the
 * free-space check at once and the third ran out mid-body).
 */
export async function fromTusFailure(error: unknown, directory: string): Promise<ApiError> {
  const mapped = fromTusThrown(error);
  if (mapped.code !== 'INTERNAL' || !isTusError(error)) return mapped;
  const disk = await fs.statfs(directory);
  return disk.bavail * disk.bsize < NEARLY_FULL_BYTES ? new ApiError('STORAGE_FULL') : mapped;
}

/** An error response body tus wrote itself (412, invalid headers) or one already mapped. */
export function fromTusResponse(status: number, text: string): ApiError {
  // tus's own bodies are plain text; only ours (from onResponseError) are JSON objects.
  if (text.startsWith('{')) {
    const parsed: unknown = JSON.parse(text);
    if (isApiErrorBody(parsed)) return new ApiError(parsed.error.code, parsed.error.message);
  }
  return fromTusStatus(status, text);
}
