/**
 * The map's data (issue 17): the caller's geotagged photos as points, read from one covering
 * index (migration 0007), and the photos of an opened cluster by id.
 */
import type { Asset } from '../../shared/api';
import type { MapMarkers } from '../../shared/map';
import type { Db } from '../db';
import { ASSET_COLUMNS, toAsset } from '../library/assets';

export async function mapMarkers(db: Db, userId: string): Promise<MapMarkers> {
  const rows = await db
    .selectFrom('assets')
    .select(['id', 'latitude', 'longitude'])
    .where('owner_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('latitude', 'is not', null)
    .orderBy('captured_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const markers: MapMarkers = { ids: [], latitudes: [], longitudes: [] };
  for (const row of rows) {
    if (row.latitude === null || row.longitude === null) continue;
    markers.ids.push(row.id);
    markers.latitudes.push(Number(row.latitude));
    markers.longitudes.push(Number(row.longitude));
  }
  return markers;
}

/** The caller's photos among `ids`, in their order; another user's, or one in the trash, is left out. */
export async function mapAssets(db: Db, userId: string, ids: readonly string[]): Promise<Asset[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('assets')
    .select(ASSET_COLUMNS)
    .where('owner_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('id', 'in', ids)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, toAsset(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
