/**
 * The second stage: which prepared items the library already has (DESIGN §4). They become done
 * without a byte sent; the rest go on to the uploader.
 */
import { classifyRequestError } from '../classify';
import type { ReadyItem } from '../item';
import { isAbort, step } from './context';
import type { DrainContext, DrainStop } from './context';
import { failBatch } from './failures';

/** Items that belong to the signed-in account (or to whoever drains). */
function mine(ctx: DrainContext, item: ReadyItem): boolean {
  return item.owner === null || item.owner.id === ctx.accountId;
}

/** The batch's items to upload, or why the drain stops. */
export async function checkBatch(ctx: DrainContext, batch: ReadyItem[]): Promise<ReadyItem[] | DrainStop> {
  // The drain set other accounts' items aside as it started (account.ts); one added since waits.
  const items = batch.filter((item) => mine(ctx, item));
  if (items.length === 0) return [];
  let existing: Map<string, string>;
  try {
    const hashes = [...new Set(items.map((item) => item.prepared.sourceSha256))];
    const answer = await ctx.server.check(hashes, ctx.signal);
    existing = new Map(answer.existing.map((asset) => [asset.sourceSha256, asset.id]));
  } catch (error) {
    const failure = classifyRequestError(error, { aborted: isAbort(error, ctx.signal) });
    // The uploads themselves are deduplicated by the server, so a refused check only costs bytes.
    if (failure.kind === 'rejected' || failure.kind === 'restart' || failure.kind === 'retry') return items;
    return failBatch(ctx, items, failure);
  }
  const toUpload: ReadyItem[] = [];
  for (const item of items) {
    const assetId = existing.get(item.prepared.sourceSha256);
    if (assetId === undefined) toUpload.push(item);
    else await step(ctx, ctx.queue.markDone(item.id, { assetId, outcome: 'duplicate' }));
  }
  return toUpload;
}
