/**
 * Map tiles (issue 17), for owners who run a tile server or want one: the owner names a
 * `{z}/{x}/{y}` address in Settings and Shoebox fetches the tiles for the app at
 * `/api/map/tiles/{z}/{x}/{y}`. The app then only ever asks its own server (no address outside it
 * in the page, none in its Content-Security-Policy, and no one else learns where a family's
 * photos were taken from which tiles it viewed). With no address set nothing is fetched: the map
 * draws its bundled borders.
 */
import type { Db } from '../db';
import { ApiError } from '../errors';

const SETTING = 'map.tiles';
/** A tile is a few tens of kilobytes; anything far bigger is not a tile. */
export const TILE_BYTES_MAX = 2 * 1024 * 1024;
const TILE_TIMEOUT_MS = 10_000;
export const TILE_ZOOM_MAX = 22;
/** What raster tile servers send. */
export const TILE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/** Why an address is not one Shoebox can fetch tiles from, or null when it is. */
export function tileAddressProblem(address: string): string | null {
  let url: URL;
  try {
    url = new URL(address.replaceAll('{z}', '0').replaceAll('{x}', '0').replaceAll('{y}', '0'));
  } catch {
    return 'The tile server address is not a web address.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'The tile server address must start with https:// or http://.';
  }
  if (!['{z}', '{x}', '{y}'].every((part) => address.includes(part))) {
    return 'The tile server address must contain {z}, {x} and {y}, as in https://tiles.example.org/{z}/{x}/{y}.png.';
  }
  return null;
}

export async function readTileAddress(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('server_settings')
    .select('value')
    .where('key', '=', SETTING)
    .executeTakeFirst();
  return row?.value ?? null;
}

export async function writeTileAddress(db: Db, address: string | null): Promise<void> {
  if (address === null) {
    await db.deleteFrom('server_settings').where('key', '=', SETTING).execute();
    return;
  }
  await db
    .insertInto('server_settings')
    .values({ key: SETTING, value: address })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: address }))
    .execute();
}

export interface Tile {
  contentType: string;
  body: Buffer;
}

/** Fetches one tile from the owner's tile server. */
export async function fetchTile(address: string, z: number, x: number, y: number): Promise<Tile> {
  const url = address.replaceAll('{z}', String(z)).replaceAll('{x}', String(x)).replaceAll('{y}', String(y));
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(TILE_TIMEOUT_MS),
      headers: { 'user-agent': 'Shoebox (self-hosted photo library)' },
      redirect: 'follow',
    });
  } catch {
    throw new ApiError('TILES_UNAVAILABLE');
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!response.ok || !TILE_TYPES.includes(contentType) || response.body === null) {
    await response.body?.cancel();
    throw new ApiError('TILES_UNAVAILABLE');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > TILE_BYTES_MAX) {
      await reader.cancel();
      throw new ApiError('TILES_UNAVAILABLE');
    }
    chunks.push(Buffer.from(value));
  }
  return { contentType, body: Buffer.concat(chunks) };
}
