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
  /** Whether a download may be offered. */
  download: boolean;
  details(id: string, signal?: AbortSignal): Promise<AssetDetails>;
}

export const MEDIA_URLS: InjectionKey<MediaUrls> = Symbol('media URLs');

const own: MediaUrls = {
  thumb: thumbUrl,
  // A turned photo (issue 16's rotate) is shown as the server renders it; the original is untouched.
  picture: (asset) =>
    asset.rotation === 0 ? originalUrl(asset.id) : `/api/assets/${encodeURIComponent(asset.id)}/edited`,
  original: originalUrl,
  download: true,
  details: getAssetDetails,
};

export function useMediaUrls(): MediaUrls {
  return inject(MEDIA_URLS, own);
}
