import type { Insertable, Selectable } from 'kysely';
import type { Asset, AssetPage } from '../../shared/api';
import type { Db } from '../db';
import type { AssetsTable } from '../db/schema';
import { encodeCursor, type AssetCursor } from './cursor';

/**
 * Asset queries. Every one takes the owner: there is no way to reach another user's asset, which
 * therefore looks exactly like a missing one (404).
 */
export type AssetRow = Selectable<AssetsTable>;

export function toAsset(row: AssetRow): Asset {
  return {
    id: row.id,
    filename: row.filename,
    mimeType: row.mime_type,
    bytes: Number(row.bytes),
    sha256: row.sha256,
    sourceSha256: row.source_sha256,
    capturedAt: row.captured_at,
    uploadedAt: row.uploaded_at,
  };
}

export async function findAsset(db: Db, ownerId: string, id: string): Promise<AssetRow | undefined> {
  return db
    .selectFrom('assets')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findAssetBySource(
  db: Db,
  ownerId: string,
  sourceSha256: string,
): Promise<AssetRow | undefined> {
  return db
    .selectFrom('assets')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('source_sha256', '=', sourceSha256)
    .executeTakeFirst();
}

/** Which of these source hashes the owner already has, with their asset ids. */
export async function findExistingSources(
  db: Db,
  ownerId: string,
  sourceSha256s: readonly string[],
): Promise<{ sourceSha256: string; id: string }[]> {
  if (sourceSha256s.length === 0) return [];
  const rows = await db
    .selectFrom('assets')
    .select(['source_sha256', 'id'])
    .where('owner_id', '=', ownerId)
    .where('source_sha256', 'in', [...new Set(sourceSha256s)])
    .execute();
  return rows.map((row) => ({ sourceSha256: row.source_sha256, id: row.id }));
}

/**
 * One page of the timeline, newest capture first. Keyset pagination on (captured_at, id): the
 * next page starts strictly after the last row of this one, so inserts never shift or repeat it.
 */
export async function listAssets(
  db: Db,
  ownerId: string,
  page: { after: AssetCursor | null; limit: number },
): Promise<AssetPage> {
  const { after, limit } = page;
  let query = db.selectFrom('assets').selectAll().where('owner_id', '=', ownerId);
  if (after !== null) {
    query = query.where((eb) =>
      eb.or([
        eb('captured_at', '<', after.capturedAt),
        eb.and([eb('captured_at', '=', after.capturedAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('captured_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toAsset),
    nextCursor:
      rows.length > limit && last !== undefined
        ? encodeCursor({ capturedAt: last.captured_at, id: last.id })
        : null,
  };
}

/** False when the owner already has an asset with this source hash. */
export async function insertAsset(db: Db, row: Insertable<AssetsTable>): Promise<boolean> {
  const result = await db
    .insertInto('assets')
    .values(row)
    .onConflict((conflict) => conflict.columns(['owner_id', 'source_sha256']).doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows !== 0n;
}

export async function isBlobReferenced(db: Db, blobKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('assets')
    .select('id')
    .where('blob_key', '=', blobKey)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
