import { SHA256_HEX, type UploadMetadata } from '../../shared/tus';
import { ApiError } from '../errors';
import { parseClientCaptureTime, type CaptureTime } from '../library/capture-date';

export interface ValidMetadata extends Required<Omit<UploadMetadata, 'capturedAt'>> {
  /** Wall-clock time and offset (see library/capture-date.ts), or null when the client did not know it. */
  capturedAt: CaptureTime | null;
}

const FILENAME_MAX = 255;

/** A display name: the last path segment, without control characters, at most 255 characters. */
function cleanFilename(raw: string): string {
  const base = raw.split(/[/\\]/).at(-1) ?? '';
  return base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, FILENAME_MAX);
}

function checksum(metadata: Record<string, string | null>, key: 'sha256' | 'sourceSha256'): string {
  const value = (metadata[key] ?? '').trim().toLowerCase();
  if (!SHA256_HEX.test(value))
    throw new ApiError('BAD_REQUEST', `${key} must be 64 hexadecimal digits (a SHA-256).`);
  return value;
}

/** Checks the Upload-Metadata of a new upload (keys in src/shared/tus.ts). */
export function parseUploadMetadata(metadata: Record<string, string | null> | undefined): ValidMetadata {
  const fields = metadata ?? {};
  const missing = (['filename', 'type', 'sha256', 'sourceSha256'] as const).filter(
    (key) => (fields[key] ?? '').trim() === '',
  );
  if (missing.length > 0) {
    throw new ApiError(
      'MISSING_METADATA',
      `The upload is missing its ${missing.join(', ')} (Upload-Metadata).`,
    );
  }
  const filename = cleanFilename(fields.filename ?? '');
  if (filename === '')
    throw new ApiError('MISSING_METADATA', 'The upload is missing its filename (Upload-Metadata).');
  const rawCapturedAt = fields.capturedAt?.trim() ?? '';
  const capturedAt = rawCapturedAt === '' ? null : parseClientCaptureTime(rawCapturedAt);
  if (capturedAt === null && rawCapturedAt !== '') {
    throw new ApiError('BAD_REQUEST', 'capturedAt must be an ISO 8601 date and time.');
  }
  return {
    filename,
    type: (fields.type ?? '').trim().toLowerCase(),
    sha256: checksum(fields, 'sha256'),
    sourceSha256: checksum(fields, 'sourceSha256'),
    capturedAt,
  };
}
