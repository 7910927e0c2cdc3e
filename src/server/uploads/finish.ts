import { randomUUID } from 'node:crypto';
import { sniff } from '../../shared/sniff';
import type { UploadOutcome } from '../../shared/tus';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { enqueueJob } from '../jobs/queue';
import { findAssetBySource, insertAsset, type AssetRow } from '../library/assets';
import { captureTimeFromMetadata, type CaptureTime } from '../library/capture-date';
import { metadataColumns } from '../library/media-metadata';
import type { MediaMetadata } from '../imaging';
import { THUMBNAIL_JOB } from '../library/thumbnails';
import { ensureSearchIndexJob } from '../search/index-job';
import { blobKeyFor } from '../storage/blob-store';
import { holdBlob, releaseBlob } from '../storage/blob-refs';
import { enforceLimits } from './limits';
import type { ValidMetadata } from './metadata';

/** A complete upload's bytes where its store keeps them (a local file, an S3 object). */
export interface CompleteUpload {
  /** Reads every byte once, streamed: their SHA-256 and the first ones (for sniffing). */
  hash(): Promise<{ sha256: string; head: Uint8Array }>;
  /** The photo's or video's metadata (imaging's reader), null when it cannot be read. */
  readMetadata(mimeType: string): Promise<MediaMetadata | null>;
  /** Stores the bytes in the originals store under `blobKey`, durably. */
  storeAs(blobKey: string): Promise<void>;
}

export interface FinishedUpload {
  ownerId: string;
  content: CompleteUpload;
  bytes: number;
  metadata: ValidMetadata;
}

/** A typed outcome: a duplicate is a success with the existing id. */
export interface StoredUpload {
  status: UploadOutcome;
  assetId: string;
}

/**
 * Whether the owner's asset with the same source is there to answer a duplicate upload with.
 * Adding a photo again that is in the trash brings it back (see CheckResponse); one purged in the
 * meantime is not there any more, and the upload makes a new asset.
 */
async function stillThere(ctx: AppContext, existing: AssetRow): Promise<boolean> {
  if (existing.deleted_at === null) return true;
  const restored = await ctx.db
    .updateTable('assets')
    .set({ deleted_at: null })
    .where('id', '=', existing.id)
    .where('deleted_at', 'is not', null)
    .executeTakeFirst();
  if (restored.numUpdatedRows > 0n) return true;
  // Restored by someone else (still there), or purged (gone).
  return (await findAssetBySource(ctx.db, existing.owner_id, existing.source_sha256)) !== undefined;
}

/** A name for a file its client did not name: `upload-<date>.<ext>`, as a camera would. */
function madeUpName(mimeType: string, uploadedAt: string): string {
  const extension = mimeType.split('/')[1]?.replace(/^x-/, '').replace('quicktime', 'mov') ?? 'bin';
  return `upload-${uploadedAt.slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}.${extension}`;
}

/**
 * Turns a complete upload into an asset (DESIGN §5, §6): hash it in one streamed read, verify the
 * SHA-256 the client declared, if it did, sniff the real type, read the metadata (imaging/), apply
 * the limits with the real type and pixel count, store the bytes in the blob store (durably) and
 * commit the row together with its thumbnail job. Resolves once both are durable; thumbnails are
 * made afterwards, in the background. Leaves the upload for the caller to discard.
 */
export async function storeFinishedUpload(ctx: AppContext, upload: FinishedUpload): Promise<StoredUpload> {
  const { ownerId, metadata, content } = upload;
  const { sha256, head } = await content.hash();
  if (metadata.sha256 !== null && sha256 !== metadata.sha256) throw new ApiError('CHECKSUM_MISMATCH');
  // A client that knows nothing of Storage saver uploads the file as picked.
  const sourceSha256 = metadata.sourceSha256 ?? sha256;

  const sniffed = sniff(head);
  if (sniffed === null) {
    throw new ApiError('UNSUPPORTED_TYPE', 'The file is not a photo or video in a format this server knows.');
  }
  const media = await content.readMetadata(sniffed.mimeType);
  const pixels =
    sniffed.kind === 'photo' && media?.width != null && media.height != null
      ? media.width * media.height
      : undefined;
  // A photo whose size cannot be read is still the user's photo: it is backed up, unchecked.
  enforceLimits(ctx.config.limits, { mimeType: sniffed.mimeType, bytes: upload.bytes, pixels });

  const existing = await findAssetBySource(ctx.db, ownerId, sourceSha256);
  if (existing !== undefined && (await stillThere(ctx, existing))) {
    return { status: 'duplicate', assetId: existing.id };
  }

  const uploadedAt = ctx.now().toISOString();
  // The file's own date first, then the client's (EXIF it read, or the file's date), then now.
  const captured: CaptureTime = (media === null ? null : captureTimeFromMetadata(media)) ??
    metadata.capturedAt ?? { at: uploadedAt, offsetMinutes: 0 };
  const blobKey = blobKeyFor(ownerId, sha256);
  const id = randomUUID();

  // Held before the bytes are stored, so that a purge of another asset on the same bytes cannot
  // delete them under this upload (storage/blob-refs.ts); the new asset keeps the reference.
  await holdBlob(ctx.db, blobKey, ctx.now());
  let kept = false;
  try {
    await content.storeAs(blobKey);
    const inserted = await ctx.db.transaction().execute(async (trx) => {
      const added = await insertAsset(trx, {
        id,
        owner_id: ownerId,
        filename: metadata.filename ?? madeUpName(sniffed.mimeType, uploadedAt),
        mime_type: sniffed.mimeType,
        bytes: upload.bytes,
        sha256,
        source_sha256: sourceSha256,
        captured_at: captured.at,
        captured_offset_minutes: captured.offsetMinutes,
        uploaded_at: uploadedAt,
        blob_key: blobKey,
        ...metadataColumns(media),
      });
      if (added) {
        await enqueueJob(trx, { kind: THUMBNAIL_JOB, assetId: id }, ctx.now());
        await ensureSearchIndexJob(trx, ctx.now());
      }
      return added;
    });
    if (inserted) {
      kept = true;
      ctx.jobs.wake();
      return { status: 'created', assetId: id };
    }

    // A concurrent upload of the same source won the insert. Its bytes may differ (another
    // Storage saver encoding): ours go with the reference given back below unless an asset uses them.
    const winner = await findAssetBySource(ctx.db, ownerId, sourceSha256);
    if (winner === undefined) throw new Error('An asset conflicted on insert but cannot be found.');
    return { status: 'duplicate', assetId: winner.id };
  } finally {
    if (!kept) await releaseBlob(ctx.db, ctx.blobs, blobKey, ctx.now());
  }
}
