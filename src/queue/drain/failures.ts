/** What a failure does to items (DESIGN §4, Retry): a backoff, a skip, a block, or a stop. */
import { retryDelay } from '../backoff';
import type { UploadFailure } from '../classify';
import type { ReadyItem, UploadingItem } from '../item';
import type { Failure } from '../transitions';
import { reportAll, step } from './context';
import type { DrainContext, DrainStop } from './context';

export const SIGNED_OUT_REASON = 'Sign in to continue backup';

function failure(ctx: DrainContext, error: string, retryAfterMs: number | null = null): Failure {
  return {
    error,
    now: ctx.now(),
    delay: (attempts) => retryDelay(attempts, { random: ctx.random, retryAfterMs }),
  };
}

export async function blockSignedOut(ctx: DrainContext): Promise<void> {
  reportAll(ctx, await ctx.queue.blockPending('signed-out', SIGNED_OUT_REASON));
}

/** A failure that is not one item's doing (a check, the account), for a batch: each counts an attempt. */
export async function failBatch(
  ctx: DrainContext,
  batch: readonly ReadyItem[],
  cause: UploadFailure,
): Promise<DrainStop> {
  switch (cause.kind) {
    case 'aborted':
      return 'aborted';
    case 'signed-out':
      await blockSignedOut(ctx);
      return 'signed-out';
    default: {
      const message = 'message' in cause ? cause.message : '';
      const retryAfterMs = cause.kind === 'transient' ? cause.retryAfterMs : null;
      for (const item of batch) {
        await step(ctx, ctx.queue.markFailed(item.id, failure(ctx, message, retryAfterMs)));
      }
      return 'transient';
    }
  }
}

/** One upload's failure: the drain stops for trouble that is not this item's, else goes on (null). */
export async function failUpload(
  ctx: DrainContext,
  item: ReadyItem | UploadingItem,
  cause: UploadFailure,
): Promise<DrainStop | null> {
  switch (cause.kind) {
    case 'aborted':
      // Back to ready, the upload URL and offset kept, by resetStale when the drain ends.
      return 'aborted';
    case 'signed-out':
      await blockSignedOut(ctx);
      return 'signed-out';
    case 'transient':
      await step(ctx, ctx.queue.markFailed(item.id, failure(ctx, cause.message, cause.retryAfterMs)));
      return 'transient';
    case 'restart':
      await step(ctx, ctx.queue.markFailed(item.id, { ...failure(ctx, cause.message), forgetUpload: true }));
      return null;
    case 'retry':
      await step(ctx, ctx.queue.markFailed(item.id, failure(ctx, cause.message)));
      return null;
    case 'rejected':
      await step(ctx, ctx.queue.markSkipped(item.id, cause.message));
      return null;
  }
}
