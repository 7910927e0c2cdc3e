import { randomBytes } from 'node:crypto';

/**
 * Upload ids carry their creator: `<userId>_<32 hex>`. The id is the tus URL's last segment and
 * the file name in the upload directory, so it holds no `/`.
 */
export function newUploadId(userId: string): string {
  return `${userId}_${randomBytes(16).toString('hex')}`;
}

/** The user who created the upload; null for an id `newUploadId` did not make. */
export function uploadOwner(uploadId: string): string | null {
  const match = /^([0-9a-f-]{36})_[0-9a-f]{32}$/.exec(uploadId);
  return match?.[1] ?? null;
}
