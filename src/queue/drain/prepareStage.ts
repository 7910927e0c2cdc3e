/** The first stage: a claimed file through the Preparer port, to `ready` or `skipped`. */
import type { PreparingItem, ReadyItem } from '../item';
import { isAbort, step } from './context';
import type { DrainContext, DrainStop } from './context';

export const MISSING_BLOB_REASON = 'The file is no longer stored on this device. Add it again.';

/** The ready item; null when the file was skipped or the item vanished; 'aborted' on the signal. */
export async function prepareOne(
  ctx: DrainContext,
  item: PreparingItem,
): Promise<ReadyItem | null | DrainStop> {
  ctx.onItem(item);
  const blob = await ctx.queue.getBlob(item.blobKey);
  if (blob === undefined) {
    await step(ctx, ctx.queue.markSkipped(item.id, MISSING_BLOB_REASON, { fileMissing: true }));
    return null;
  }
  try {
    const result = await ctx.prepare({
      blob,
      lastModified: item.lastModified,
      limits: ctx.limits,
      quality: ctx.settings.quality,
      signal: ctx.signal,
    });
    if (result.kind === 'skipped') {
      await step(ctx, ctx.queue.markSkipped(item.id, result.reason));
      return null;
    }
    return await step(ctx, ctx.queue.markReady(item.id, result.fields));
  } catch (error) {
    // Back to queued by resetStale when the drain ends: the next drain prepares it again.
    if (isAbort(error, ctx.signal)) return 'aborted';
    // The browser could not read the stored file (NotReadableError and the like); retrying
    // the same bytes will not help, so the user sees why and can add the file again.
    const detail = error instanceof Error ? ` (${error.message})` : '';
    await step(
      ctx,
      ctx.queue.markSkipped(item.id, `Shoebox couldn't read this file${detail}. Add it again.`),
    );
    return null;
  }
}
