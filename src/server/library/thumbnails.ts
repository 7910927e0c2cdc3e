/**
 * Thumbnails as assets have them: made by imaging/ in a background job after the upload (or from
 * a video's poster frame), stored in the thumbnail store under a version that is a hash of their
 * bytes, and recorded on the asset as `ready` or `placeholder`.
 */
import type { FastifyBaseLogger } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ThumbPlaceholderCode, ThumbSize } from '../../shared/api';
import { mediaKindOf } from '../../shared/limits';
import { SNIFF_BYTES, sniff } from '../../shared/sniff';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { makeThumbnails, VIDEO_PLACEHOLDER, type PlaceholderCode, type ThumbnailResult } from '../imaging';
import type { JobHandler } from '../jobs/queue';
import { thumbKeyFor } from '../storage/blob-store';
import { putBytes, withLocalFile } from '../storage/local-file';
import type { AssetRow } from './assets';

export const THUMBNAIL_JOB = 'thumbnail';

type MadeThumbnails = Extract<ThumbnailResult, { status: 'ok' }>;

/** imaging's placeholder codes are the API's (checked here, at compile time). */
const apiPlaceholderCode = (code: PlaceholderCode): ThumbPlaceholderCode => code;

const FAILED_REASON = 'The preview could not be made. The original is kept as it was.';

const SIZES: readonly ThumbSize[] = ['s', 'l'];

/** Stores both sizes and returns their version (which names their keys and is their ETag). */
async function storeThumbnails(
  ctx: AppContext,
  ownerId: string,
  assetId: string,
  made: MadeThumbnails,
): Promise<string> {
  const version = createHash('sha256')
    .update(made.small.data)
    .update(made.large.data)
    .digest('hex')
    .slice(0, 24);
  await putBytes(ctx.thumbs, thumbKeyFor(ownerId, assetId, version, 's'), made.small.data, ctx.tmpDir);
  await putBytes(ctx.thumbs, thumbKeyFor(ownerId, assetId, version, 'l'), made.large.data, ctx.tmpDir);
  return version;
}

export async function deleteThumbnails(
  ctx: AppContext,
  ownerId: string,
  assetId: string,
  version: string,
): Promise<void> {
  for (const size of SIZES) await ctx.thumbs.delete(thumbKeyFor(ownerId, assetId, version, size));
}

async function findAnyAsset(ctx: AppContext, id: string): Promise<AssetRow | undefined> {
  return ctx.db.selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Drops thumbnails just made for an asset that did not take them (purged, or a poster came first). */
async function discardUnused(
  ctx: AppContext,
  ownerId: string,
  assetId: string,
  version: string,
): Promise<void> {
  const current = await findAnyAsset(ctx, assetId);
  if (current?.thumb_version !== version) await deleteThumbnails(ctx, ownerId, assetId, version);
}

/**
 * The job that makes an asset's thumbnails. Only a `pending` asset is touched, so a video's
 * poster frame that arrived first is never replaced by the video's placeholder.
 */
export function thumbnailJob(ctx: AppContext, log: FastifyBaseLogger): JobHandler {
  return {
    async run(job, signal) {
      if (job.asset_id === null) throw new Error('A thumbnail job needs an asset.');
      const row = await findAnyAsset(ctx, job.asset_id);
      if (row === undefined || row.thumb_state !== 'pending') return;
      // A video (its type sniffed when it was stored) gets the placeholder without a byte read:
      // from an object store, a local file would mean fetching the whole video first.
      const result =
        mediaKindOf(row.mime_type) === 'video' && Number(row.bytes) > 0
          ? VIDEO_PLACEHOLDER
          : await withLocalFile(ctx.blobs, row.blob_key, ctx.tmpDir, (file) =>
              makeThumbnails(file, row.mime_type, { maxPixels: ctx.config.limits.maxPhotoPixels, signal }),
            );
      if (result.status === 'placeholder') {
        if (result.code !== 'video') {
          log.info({ assetId: row.id, code: result.code, detail: result.detail }, 'no preview for an asset');
        }
        await ctx.db
          .updateTable('assets')
          .set({
            thumb_state: 'placeholder',
            thumb_code: apiPlaceholderCode(result.code),
            thumb_reason: result.reason,
          })
          .where('id', '=', row.id)
          .where('thumb_state', '=', 'pending')
          .execute();
        return;
      }
      const version = await storeThumbnails(ctx, row.owner_id, row.id, result);
      const updated = await ctx.db
        .updateTable('assets')
        .set({
          thumb_state: 'ready',
          thumb_version: version,
          thumb_code: null,
          thumb_reason: null,
          // The decoder knows the size when the header reader did not (it is the same otherwise).
          width: row.width ?? result.width,
          height: row.height ?? result.height,
        })
        .where('id', '=', row.id)
        .where('thumb_state', '=', 'pending')
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) await discardUnused(ctx, row.owner_id, row.id, version);
    },

    async giveUp(job) {
      if (job.asset_id === null) return;
      await ctx.db
        .updateTable('assets')
        .set({ thumb_state: 'placeholder', thumb_code: 'failed', thumb_reason: FAILED_REASON })
        .where('id', '=', job.asset_id)
        .where('thumb_state', '=', 'pending')
        .execute();
    },
  };
}

const POSTER_TYPES = new Set(['image/jpeg', 'image/webp']);

/**
 * Makes a video's thumbnails from the poster frame the browser took (the server needs no
 * ffmpeg), replacing whatever the video showed before. Resolves with the updated row.
 */
export async function applyPoster(ctx: AppContext, row: AssetRow, bytes: Buffer): Promise<AssetRow> {
  if (mediaKindOf(row.mime_type) !== 'video') throw new ApiError('NOT_A_VIDEO');
  const type = sniff(bytes.subarray(0, SNIFF_BYTES))?.mimeType;
  if (type === undefined || !POSTER_TYPES.has(type)) {
    throw new ApiError('UNSUPPORTED_TYPE', 'A poster frame must be a JPEG or WebP image.');
  }
  const file = path.join(ctx.tmpDir, `poster-${randomUUID()}`);
  let result: ThumbnailResult;
  try {
    await fs.writeFile(file, bytes);
    result = await makeThumbnails(file, type, { maxPixels: ctx.config.limits.maxPhotoPixels });
  } finally {
    await fs.rm(file, { force: true });
  }
  if (result.status !== 'ok') throw new ApiError('POSTER_UNREADABLE');
  const version = await storeThumbnails(ctx, row.owner_id, row.id, result);

  // Compare-and-set on the version: of two posters sent at once, each deletes only what it replaced.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const current = await findAnyAsset(ctx, row.id);
    if (current === undefined) {
      await deleteThumbnails(ctx, row.owner_id, row.id, version);
      throw new ApiError('ASSET_NOT_FOUND');
    }
    const previous = current.thumb_version;
    const updated = await ctx.db
      .updateTable('assets')
      .set({ thumb_state: 'ready', thumb_version: version, thumb_code: null, thumb_reason: null })
      .where('id', '=', row.id)
      .where((eb) =>
        previous === null ? eb('thumb_version', 'is', null) : eb('thumb_version', '=', previous),
      )
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) continue;
    if (previous !== null && previous !== version)
      await deleteThumbnails(ctx, row.owner_id, row.id, previous);
    return { ...current, thumb_state: 'ready', thumb_version: version, thumb_code: null, thumb_reason: null };
  }
  throw new Error('The poster frame kept losing the race to other updates of the same video.');
}
