import type { FastifyBaseLogger } from 'fastify';
import { randomUUID } from 'node:crypto';
import { sniff } from '../../shared/sniff';
import type { UploadOutcome } from '../../shared/tus';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { findAssetBySource, insertAsset, isBlobReferenced } from '../library/assets';
import { readExifCaptureDate } from '../library/capture-date';
import { hashFile, readPixels } from '../library/media-info';
import { blobKeyFor } from '../storage/blob-store';
import { enforceLimits } from './limits';
import type { ValidMetadata } from './metadata';

export interface FinishedUpload {
  ownerId: string;
  /** The complete upload on local disk. */
  path: string;
  bytes: number;
  metadata: ValidMetadata;
}

/** A typed outcome: a duplicate is a success with the existing id. */
export interface StoredUpload {
  status: UploadOutcome;
  assetId: string;
}

async function pixelsOf(filePath: string, log: FastifyBaseLogger): Promise<number | undefined> {
  try {
    return await readPixels(filePath);
  } catch (error) {
    // A photo libvips cannot parse is still the user's photo: back it up, unchecked.
    log.info({ err: error }, 'could not read the pixel size of an upload');
    return undefined;
  }
}

async function exifCaptureDate(filePath: string, log: FastifyBaseLogger): Promise<string | null> {
  try {
    return await readExifCaptureDate(filePath);
  } catch (error) {
    // An unreadable EXIF is not an error: the date falls back to the client's, then to now.
    log.info({ err: error }, 'could not read the EXIF of an upload');
    return null;
  }
}

/**
 * Turns a complete upload into an asset (DESIGN §5, §6): verify the SHA-256 the client declared,
 * sniff the real type, apply the limits with the real type and pixel count, read the capture
 * date, move the bytes into the blob store (fsynced) and commit the row. Resolves only once both
 * are durable. Leaves the upload file for the caller to discard when it is not moved.
 */
export async function storeFinishedUpload(
  ctx: AppContext,
  upload: FinishedUpload,
  log: FastifyBaseLogger,
): Promise<StoredUpload> {
  const { ownerId, metadata } = upload;
  const { sha256, head } = await hashFile(upload.path);
  if (sha256 !== metadata.sha256) throw new ApiError('CHECKSUM_MISMATCH');

  const sniffed = sniff(head);
  if (sniffed === null) {
    throw new ApiError('UNSUPPORTED_TYPE', 'The file is not a photo or video in a format this server knows.');
  }
  const isPhoto = sniffed.kind === 'photo';
  const pixels = isPhoto ? await pixelsOf(upload.path, log) : undefined;
  enforceLimits(ctx.config.limits, { mimeType: sniffed.mimeType, bytes: upload.bytes, pixels });

  const existing = await findAssetBySource(ctx.db, ownerId, metadata.sourceSha256);
  if (existing !== undefined) return { status: 'duplicate', assetId: existing.id };

  const uploadedAt = ctx.now().toISOString();
  const capturedAt =
    (isPhoto ? await exifCaptureDate(upload.path, log) : null) ?? metadata.capturedAt ?? uploadedAt;
  const blobKey = blobKeyFor(ownerId, sha256);
  await ctx.blobs.putFile(blobKey, upload.path);

  const id = randomUUID();
  const inserted = await insertAsset(ctx.db, {
    id,
    owner_id: ownerId,
    filename: metadata.filename,
    mime_type: sniffed.mimeType,
    bytes: upload.bytes,
    sha256,
    source_sha256: metadata.sourceSha256,
    captured_at: capturedAt,
    uploaded_at: uploadedAt,
    blob_key: blobKey,
  });
  if (inserted) return { status: 'created', assetId: id };

  // A concurrent upload of the same source won the insert. Its bytes may differ (another
  // Storage saver encoding); keep ours only if some asset uses them.
  const winner = await findAssetBySource(ctx.db, ownerId, metadata.sourceSha256);
  if (winner === undefined) throw new Error('An asset conflicted on insert but cannot be found.');
  if (winner.blob_key !== blobKey && !(await isBlobReferenced(ctx.db, blobKey)))
    await ctx.blobs.delete(blobKey);
  return { status: 'duplicate', assetId: winner.id };
}
