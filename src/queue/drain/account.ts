import { CHECK_BATCH_MAX } from '../../shared/api';
import { classifyRequestError } from '../classify';
import { isAbort, reportAll } from './context';
import type { DrainContext, DrainStop } from './context';
import { failBatch } from './failures';

/**
 * Asks the server who is signed in and sets aside the items another account added: the session
 * cookie decides whose library an upload lands in, so they wait, blocked, for their owner (and
 * this account's items blocked that way go back to work). When the server cannot answer, the
 * first ready items count a failed attempt, so the caller knows when to try again.
 */
export async function assignAccount(ctx: DrainContext): Promise<DrainStop | null> {
  try {
    ctx.accountId = (await ctx.server.me(ctx.signal)).id;
  } catch (error) {
    const failure = classifyRequestError(error, { aborted: isAbort(error, ctx.signal) });
    return failBatch(ctx, await ctx.queue.readyAfter(null, CHECK_BATCH_MAX), failure);
  }
  reportAll(ctx, await ctx.queue.assignToAccount(ctx.accountId));
  return null;
}
