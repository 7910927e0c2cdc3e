/**
 * The trash: deleting moves an asset there (`deleted_at`); it can be restored until it is purged,
 * by the user emptying the trash or automatically `config.trashRetentionDays` later. Purging deletes the
 * row (its jobs go with it), its thumbnails, and the original's bytes once no asset refers to
 * them any more: originals are content-addressed per owner, so two assets can share one.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context';
import type { Db } from '../db';
import type { JobHandler } from '../jobs/queue';
import { deleteIfUnreferenced, dropBlobRefs } from '../storage/blob-refs';
import { deleteThumbnails } from './thumbnails';

export const PURGE_TRASH_JOB = 'purge-trash';
/** How often the automatic purge looks for assets past their time in the trash. */
export const PURGE_TRASH_EVERY_MS = 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;
const PURGE_BATCH = 100;

/**
 * Moves the owner's assets among `ids` to the trash (those already there keep their date) and
 * returns the ids of the owner's assets among them, all now in the trash.
 */
export async function trashAssets(
  db: Db,
  ownerId: string,
  ids: readonly string[],
  now: Date,
): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  await db
    .updateTable('assets')
    .set({ deleted_at: now.toISOString() })
    .where('owner_id', '=', ownerId)
    .where('id', 'in', unique)
    .where('deleted_at', 'is', null)
    .execute();
  return ownedIds(db, ownerId, unique);
}

/** Brings the owner's assets among `ids` back to the library; returns the owner's ids among them. */
export async function restoreAssets(db: Db, ownerId: string, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  await db
    .updateTable('assets')
    .set({ deleted_at: null })
    .where('owner_id', '=', ownerId)
    .where('id', 'in', unique)
    .where('deleted_at', 'is not', null)
    .execute();
  return ownedIds(db, ownerId, unique);
}

async function ownedIds(db: Db, ownerId: string, ids: readonly string[]): Promise<string[]> {
  const rows = await db
    .selectFrom('assets')
    .select('id')
    .where('owner_id', '=', ownerId)
    .where('id', 'in', ids)
    .execute();
  const owned = new Set(rows.map((row) => row.id));
  return ids.filter((id) => owned.has(id));
}

export interface PurgeScope {
  /** Only this user's trash (emptying it); all users' when absent (the automatic purge). */
  ownerId?: string;
  /** Only assets trashed before this time. */
  trashedBefore?: Date;
}

/** Deletes trashed assets for good; returns how many. */
export async function purgeTrash(ctx: AppContext, scope: PurgeScope): Promise<number> {
  let purged = 0;
  for (;;) {
    const { deleted, emptied } = await ctx.db.transaction().execute(async (trx) => {
      let batch = trx.selectFrom('assets').select('id').where('deleted_at', 'is not', null);
      if (scope.ownerId !== undefined) batch = batch.where('owner_id', '=', scope.ownerId);
      if (scope.trashedBefore !== undefined) {
        batch = batch.where('deleted_at', '<', scope.trashedBefore.toISOString());
      }
      const ids = (await batch.limit(PURGE_BATCH).execute()).map((row) => row.id);
      if (ids.length === 0) return { deleted: [], emptied: [] };
      // The conditions again: a restore may have come between the two statements.
      let remove = trx.deleteFrom('assets').where('id', 'in', ids).where('deleted_at', 'is not', null);
      if (scope.trashedBefore !== undefined) {
        remove = remove.where('deleted_at', '<', scope.trashedBefore.toISOString());
      }
      const rows = await remove.returning(['id', 'owner_id', 'blob_key', 'thumb_version']).execute();
      // The assets' references to their originals go with them, in the same transaction.
      const keys = await dropBlobRefs(
        trx,
        rows.map((row) => row.blob_key),
        ctx.now(),
      );
      return { deleted: rows, emptied: keys };
    });
    if (deleted.length === 0) return purged;
    purged += deleted.length;
    for (const asset of deleted) {
      if (asset.thumb_version !== null) {
        await deleteThumbnails(ctx, asset.owner_id, asset.id, asset.thumb_version);
      }
    }
    for (const blobKey of emptied) await deleteIfUnreferenced(ctx.db, ctx.blobs, blobKey);
  }
}

/** The periodic job that purges what has been in the trash longer than the configured days. */
export function purgeTrashJob(ctx: AppContext, log: FastifyBaseLogger): JobHandler {
  return {
    async run() {
      const trashedBefore = new Date(ctx.now().getTime() - ctx.config.trashRetentionDays * DAY_MS);
      const purged = await purgeTrash(ctx, { trashedBefore });
      if (purged > 0) log.info({ purged }, 'purged assets from the trash');
    },
  };
}
