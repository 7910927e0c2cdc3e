/**
 * Where the grid and the viewer fetch an asset's previews, full-size picture, bytes and details:
 * the signed-in library's routes by default, a public link's (`/api/s/:key/…`) on a link's page,
 * which provides its own (issue 16: the page reaches nothing outside the link).
 */
import { inject, type InjectionKey } from 'vue';
import type { Asset, AssetDetails, ThumbSize } from '../shared/api';
import { getAssetDetails, originalUrl, thumbUrl } from './libraryApi';

export interface MediaUrls {
  thumb(asset: Pick<Asset, 'id' | 'thumb'>, size: ThumbSize): string | null;
  /** The full-size picture of a photo (its edited version when turned); null: the preview is all. */
  picture(asset: Pick<Asset, 'id' | 'rotation'>): string | null;
  /** A video's bytes to play, and the original to download. */
  original(id: string): string;
  /**
   * The edited (turned) version to download beside the original; null where only one version is
   * offered (a link gives what its owner shows).
   */
  edited(asset: Pick<Asset, 'id' | 'rotation'>): string | null;
  /** Whether a download may be offered. */
  download: boolean;
  details(id: string, signal?: AbortSignal): Promise<AssetDetails>;
}

export const MEDIA_URLS: InjectionKey<MediaUrls> = Symbol('media URLs');

/** The rotation is in the address: each turn is a picture of its own to the browser's cache. */
const editedUrl = (asset: Pick<Asset, 'id' | 'rotation'>): string =>
  `/api/assets/${encodeURIComponent(asset.id)}/edited?v=r${asset.rotation}`;

const own: MediaUrls = {
  thumb: thumbUrl,
  // A turned photo (issue 16's rotate) is shown as the server renders it; the original is untouched.
  picture: (asset) => (asset.rotation === 0 ? originalUrl(asset.id) : editedUrl(asset)),
  original: originalUrl,
  edited: (asset) => (asset.rotation === 0 ? null : editedUrl(asset)),
  download: true,
  details: getAssetDetails,
};

export function useMediaUrls(): MediaUrls {
  return inject(MEDIA_URLS, own);
}
