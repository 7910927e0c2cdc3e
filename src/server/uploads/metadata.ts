import { SHA256_HEX } from '../../shared/tus';
import { ApiError } from '../errors';
import { parseClientCaptureTime, type CaptureTime } from '../library/capture-date';

/**
 * What an upload's Upload-Metadata says, every key optional: any tus client uploads with a token
 * and nothing else (issue 13). The app sends all of them (src/shared/tus.ts); tus-js-client's
 * examples and Uppy send `filename`/`name` and `filetype`/`type`.
 */
export interface ValidMetadata {
  /** The file's name as picked; null when the client named none (finishing makes one up). */
  filename: string | null;
  /** The MIME type the client declared, lower-cased; the stored type is sniffed from the bytes. */
  type: string | null;
  /** SHA-256 (hex) of the bytes uploaded; null: the server's own hash stands. */
  sha256: string | null;
  /** SHA-256 (hex) of the file as picked; null: the same as the bytes uploaded. */
  sourceSha256: string | null;
  /** Wall-clock time and offset (see library/capture-date.ts), or null when the client did not know it. */
  capturedAt: CaptureTime | null;
  /** The album to put the asset in (issue 16), or null; the uploader's rights are checked when it finishes. */
  albumId: string | null;
}

const FILENAME_MAX = 255;
/** Album ids are UUIDs; anything else could not name one (the routes' id limit is 64). */
const ALBUM_ID = /^[0-9A-Za-z-]{1,64}$/;

/** A display name: the last path segment, without control characters, at most 255 characters. */
function cleanFilename(raw: string): string {
  const base = raw.split(/[/\\]/).at(-1) ?? '';
  return base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, FILENAME_MAX);
}

/** The first of `keys` that carries a non-blank value. */
function first(metadata: Record<string, string | null>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = metadata[key]?.trim() ?? '';
    if (value !== '') return value;
  }
  return null;
}

function checksum(metadata: Record<string, string | null>, key: 'sha256' | 'sourceSha256'): string | null {
  const value = first(metadata, [key])?.toLowerCase() ?? null;
  if (value !== null && !SHA256_HEX.test(value))
    throw new ApiError('BAD_REQUEST', `${key} must be 64 hexadecimal digits (a SHA-256).`);
  return value;
}

/** Checks the Upload-Metadata of a new upload: what is given must be well formed. */
export function parseUploadMetadata(metadata: Record<string, string | null> | undefined): ValidMetadata {
  const fields = metadata ?? {};
  const rawName = first(fields, ['filename', 'name']);
  const filename = rawName === null ? '' : cleanFilename(rawName);
  const rawCapturedAt = first(fields, ['capturedAt']);
  const capturedAt = rawCapturedAt === null ? null : parseClientCaptureTime(rawCapturedAt);
  if (capturedAt === null && rawCapturedAt !== null) {
    throw new ApiError('BAD_REQUEST', 'capturedAt must be an ISO 8601 date and time.');
  }
  const albumId = first(fields, ['albumId']);
  if (albumId !== null && !ALBUM_ID.test(albumId)) {
    throw new ApiError('BAD_REQUEST', 'albumId must be the id of an album.');
  }
  return {
    filename: filename === '' ? null : filename,
    type: first(fields, ['type', 'filetype'])?.toLowerCase() ?? null,
    sha256: checksum(fields, 'sha256'),
    sourceSha256: checksum(fields, 'sourceSha256'),
    capturedAt,
    albumId,
  };
}
