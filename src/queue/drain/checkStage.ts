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
  /** Items already backed up that go into an album, by album: one request per album. */
  const toAlbum = new Map<string, { item: ReadyItem; assetId: string }[]>();
  for (const item of items) {
    const assetId = existing.get(item.prepared.sourceSha256);
    if (assetId === undefined) toUpload.push(item);
    else if (item.albumId === undefined)
      await step(ctx, ctx.queue.markDone(item.id, { assetId, outcome: 'duplicate' }));
    else toAlbum.set(item.albumId, [...(toAlbum.get(item.albumId) ?? []), { item, assetId }]);
  }
  for (const [albumId, entries] of toAlbum) {
    const stop = await addExisting(ctx, albumId, entries);
    if (stop !== null) return stop;
  }
  return toUpload;
}

/**
 * Puts photos the library already had in the album their folder was added as, then marks them
 * done. The photo is backed up whatever the album's fate: an album deleted, or no longer open to
 * the user, leaves a note on the item instead of holding it back; other failures retry.
 */
async function addExisting(
  ctx: DrainContext,
  albumId: string,
  entries: readonly { item: ReadyItem; assetId: string }[],
): Promise<DrainStop | null> {
  let note: string | undefined;
  try {
    await ctx.server.addToAlbum(
      albumId,
      entries.map(({ assetId }) => assetId),
      ctx.signal,
    );
  } catch (error) {
    const failure = classifyRequestError(error, { aborted: isAbort(error, ctx.signal) });
    // A 4xx (the album gone: 404; read-only now: 403) is the album's, not the photo's.
    if (failure.kind === 'aborted' || failure.kind === 'signed-out' || failure.kind === 'transient') {
      return failBatch(
        ctx,
        entries.map(({ item }) => item),
        failure,
      );
    }
    note = `Already backed up, but not put in the album: ${failure.message}`;
  }
  for (const { item, assetId } of entries) {
    await step(ctx, ctx.queue.markDone(item.id, { assetId, outcome: 'duplicate', note }));
  }
  return null;
}
