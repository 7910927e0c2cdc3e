/**
 * Favourites, the archive and the rotation edit: marks on the owner's own assets. Only the owner
 * changes them; members of a shared album see them but cannot change them.
 */
import type { Rotation } from '../../shared/api';
import type { Db } from '../db';
import { sharedWith } from './albums';
import type { AssetRow } from './assets';

/**
 * Marks the owner's assets among `ids` as favourites or not, archived or not (each only where it
 * changes, so a favourite keeps the time it became one). Answers the owner's ids among them.
 */
export async function setFlags(
  db: Db,
  ownerId: string,
  ids: readonly string[],
  change: { favorite?: boolean; archived?: boolean },
  now: Date,
): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    if (change.favorite !== undefined) {
      await trx
        .updateTable('assets')
        .set({ favorited_at: change.favorite ? at : null })
        .where('owner_id', '=', ownerId)
        .where('id', 'in', unique)
        .where('favorited_at', change.favorite ? 'is' : 'is not', null)
        .execute();
    }
    if (change.archived !== undefined) {
      await trx
        .updateTable('assets')
        .set({ archived_at: change.archived ? at : null })
        .where('owner_id', '=', ownerId)
        .where('id', 'in', unique)
        .where('archived_at', change.archived ? 'is' : 'is not', null)
        .execute();
    }
  });
  const rows = await db
    .selectFrom('assets')
    .select('id')
    .where('owner_id', '=', ownerId)
    .where('id', 'in', unique)
    .execute();
  const owned = new Set(rows.map((row) => row.id));
  return unique.filter((id) => owned.has(id));
}

/** Sets the owner's rotation of an asset; undefined when it is not theirs. */
export async function setRotation(
  db: Db,
  ownerId: string,
  id: string,
  rotation: Rotation,
): Promise<AssetRow | undefined> {
  return db
    .updateTable('assets')
    .set({ rotation })
    .where('owner_id', '=', ownerId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * An asset `userId` may look at: their own (in the trash too, as before), or another account's
 * that an album they own or are a member of holds, while it is not in the trash.
 */
export async function findViewableAsset(db: Db, userId: string, id: string): Promise<AssetRow | undefined> {
  return db
    .selectFrom('assets')
    .selectAll()
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('owner_id', '=', userId),
        eb.and([eb('deleted_at', 'is', null), eb('id', 'in', sharedWith(db, userId))]),
      ]),
    )
    .executeTakeFirst();
}
