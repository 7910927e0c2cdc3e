/** The last stage: one ready item uploaded with tus, then done (with its poster frame sent). */
import type { UploadMetadata, UploadOutcome } from '../../shared/tus';
import { classifyRequestError, classifyUploadError } from '../classify';
import { MIN_CHUNK_BYTES, chunkSizeFor } from '../chunkSize';
import type { ReadyItem, UploadSession, UploadingItem } from '../item';
import { uploadBlob } from '../upload';
import { isAbort, isVanished, step } from './context';
import type { DrainContext, DrainStop } from './context';
import { failUpload } from './failures';
import { MISSING_BLOB_REASON } from './prepareStage';

/**
 * Nothing measured yet this drain, and more than one smallest chunk to send to a server that
 * takes larger ones: the first chunk goes alone, to measure the link.
 */
function unmeasured(ctx: DrainContext, blob: Blob, session: UploadSession | null): boolean {
  return (
    ctx.throughput.estimate() === null &&
    ctx.maxChunkBytes > MIN_CHUNK_BYTES &&
    blob.size - (session?.offset ?? 0) > MIN_CHUNK_BYTES
  );
}

function metadataOf(item: ReadyItem): UploadMetadata {
  const { sha256, sourceSha256, capturedAt } = item.prepared;
  const metadata: UploadMetadata = { filename: item.name, type: item.type, sha256, sourceSha256 };
  if (capturedAt !== null) metadata.capturedAt = capturedAt;
  if (item.albumId !== undefined) metadata.albumId = item.albumId;
  return metadata;
}

/** Uploads one ready item; returns why the drain must stop, or null to go on with the next. */
export async function uploadOne(ctx: DrainContext, item: ReadyItem): Promise<DrainStop | null> {
  // Storage saver's copy when there is one; its hash is the item's sha256.
  const blob = await ctx.queue.getBlob(item.prepared.copy?.key ?? item.blobKey);
  if (blob === undefined) {
    await step(ctx, ctx.queue.markSkipped(item.id, MISSING_BLOB_REASON, { fileMissing: true }));
    return null;
  }
  const uploading = await step(ctx, ctx.queue.markUploading(item.id));
  if (uploading === null) return null;
  const send = (session: UploadSession | null, chunkSize: number, pauseAfterFirstChunk = false) =>
    uploadBlob({
      blob,
      metadata: metadataOf(item),
      session,
      endpoint: ctx.endpoint,
      // Not through step(): if the item was removed meanwhile, the failed write stops the upload.
      saveSession: async (next) => ctx.onItem(await ctx.queue.setUploadProgress(item.id, next)),
      onProgress: (sent, total) => ctx.onUploadProgress?.(item.id, sent, total),
      onChunk: (bytes, ms) => ctx.throughput.record(bytes, ms),
      signal: ctx.signal,
      fetch: ctx.fetch,
      chunkSize,
      pauseAfterFirstChunk,
    });
  let result = await send(
    item.upload,
    chunkSizeFor(ctx.throughput.estimate(), ctx.maxChunkBytes),
    unmeasured(ctx, blob, item.upload),
  );
  // The first chunk measured the link: the rest goes in chunks sized for it (resumed with one HEAD).
  if (result.kind === 'paused')
    result = await send(result.session, chunkSizeFor(ctx.throughput.estimate(), ctx.maxChunkBytes));
  switch (result.kind) {
    case 'paused':
      return null;
    case 'aborted':
      return 'aborted';
    case 'uploaded':
      return finishUpload(ctx, uploading, result.assetId, result.outcome ?? 'created');
    case 'error': {
      if (isVanished(result.error)) return null;
      const current = await ctx.queue.get(item.id);
      const failure = classifyUploadError(result.error, {
        aborted: isAbort(result.error, ctx.signal),
        now: ctx.now(),
      });
      return failUpload(ctx, current?.state === 'uploading' ? current : uploading, failure);
    }
  }
}

async function finishUpload(
  ctx: DrainContext,
  item: UploadingItem,
  assetId: string | null,
  outcome: UploadOutcome,
): Promise<DrainStop | null> {
  let id = assetId;
  if (id === null) {
    // The last answer had no asset id: tus found the upload already complete (a HEAD after a
    // crash between the final PATCH and its answer). The library knows which asset it became.
    try {
      const answer = await ctx.server.check([item.prepared.sourceSha256], ctx.signal);
      id = answer.existing.find((asset) => asset.sourceSha256 === item.prepared.sourceSha256)?.id ?? null;
    } catch (error) {
      return failUpload(ctx, item, classifyRequestError(error, { aborted: isAbort(error, ctx.signal) }));
    }
    if (id === null) {
      return failUpload(ctx, item, {
        kind: 'restart',
        message: 'The server did not confirm this upload. It will be sent again.',
      });
    }
  }
  const note = await sendPoster(ctx, item, id, outcome);
  await step(ctx, ctx.queue.markDone(item.id, { assetId: id, outcome, note }));
  return null;
}

/**
 * Sends the poster frame the page took of a video, now that its asset id is known, before the
 * item is done (which deletes the frame with the file). A poster is a nicety: the server shows its
 * video placeholder without one, so a failure never fails the item; it only leaves a note on it.
 * A duplicate already has the preview its first upload gave it. Answers the note, if any.
 */
async function sendPoster(
  ctx: DrainContext,
  item: UploadingItem,
  assetId: string,
  outcome: UploadOutcome,
): Promise<string | undefined> {
  const key = item.prepared.posterKey;
  if (key === null || outcome !== 'created') return undefined;
  try {
    const poster = await ctx.queue.getBlob(key);
    if (poster === undefined) return undefined;
    await ctx.server.poster(assetId, poster, ctx.signal);
    return undefined;
  } catch (error) {
    if (isAbort(error, ctx.signal)) return undefined;
    const detail = error instanceof Error ? ` (${error.message})` : '';
    return `Backed up, but its preview frame could not be sent${detail}; the library shows a placeholder.`;
  }
}
