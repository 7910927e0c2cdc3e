/**
 * The map (issue 17): every geotagged photo and video as a point, in columns so that a library
 * of 100,000 photos is one small response; the app clusters them (supercluster) and asks for the
 * photos of an opened cluster by id.
 */
import type { Asset } from './api';

/** `GET /api/map/markers`: the i-th photo is `ids[i]` at (`latitudes[i]`, `longitudes[i]`), newest first. */
export interface MapMarkers {
  ids: string[];
  latitudes: number[];
  longitudes: number[];
}

/** Ids asked for at once by `GET /api/map/assets?ids=a,b,…` (a GET, so a read-only token may ask). */
export const MAP_ASSETS_MAX = 100;

/** The caller's photos among the ids, in the order asked; ids of others' photos are left out. */
export interface MapAssetsResponse {
  items: Asset[];
}

/** The app asks its own server for tiles here, with `{z}`, `{x}` and `{y}` filled in. */
export const MAP_TILES_PATH = '/api/map/tiles/{z}/{x}/{y}';

/** `GET /api/map/settings`: whether the map draws tiles (the owner set a tile server). */
export interface MapSettings {
  tiles: boolean;
  /** The tile server's `{z}/{x}/{y}` address: for the owner only (it may carry a key), else null. */
  address: string | null;
}

/** `PUT /api/map/settings` (owner): a tile server's address, or null for the borders alone. */
export interface MapSettingsRequest {
  address: string | null;
}
