/**
 * Public links (issue 16): an album or a selection of photos shown to anyone who has the URL
 * `/s/<key>`, with no account. The key is 24 random bytes (192 bits); the optional password is
 * hashed like account passwords. Download, details (camera, lens, file name) and place are off
 * unless the owner turns them on.
 *
 * Managing them (signed in, owner of the link): `GET /api/links` (`LinkList`), `POST /api/links`
 * (201 `SharedLink`), `PATCH /api/links/:id` (`SharedLink`), `DELETE /api/links/:id` (204: the link
 * stops working at once).
 *
 * The page's routes take no account; each checks the key, the expiry and the password (the
 * cookie `POST /api/s/:key/unlock` sets) on every request, and reaches only the link's photos:
 * - `GET /api/s/:key` → `PublicLink` (counts a view)
 * - `POST /api/s/:key/unlock` with `UnlockRequest` → 204 and the cookie (throttled)
 * - `GET /api/s/:key/assets?cursor=&limit=&from=` → `PublicAssetPage`; `…/assets/buckets` → `AssetBuckets`
 * - `GET /api/s/:key/assets/:id` → `PublicAssetDetails`
 * - `GET /api/s/:key/assets/:id/thumb?size=&v=` → the preview (a video's: its poster frame)
 * - `GET|HEAD /api/s/:key/assets/:id/original` → a video's bytes with Range, for playback;
 *   a photo's only when downloads are allowed, turned as the owner turned it. `?download=true` asks
 *   for a download (downloads only).
 * Errors: 404 LINK_UNAVAILABLE (unknown, revoked or expired), 401 LINK_PASSWORD_REQUIRED,
 * 403 DOWNLOAD_NOT_ALLOWED, 404 ASSET_NOT_FOUND (not one of the link's photos).
 */
import type { AssetDetails, Rotation, ThumbState } from './api';
import type { AlbumOrder } from './albums';

/** The page a link opens. */
export const linkPath = (key: string): string => `/s/${key}`;

export interface LinkSettings {
  title: string;
  /** ISO time after which the link stops working; null: never. */
  expiresAt: string | null;
  allowDownload: boolean;
  /** Camera, lens and file name. */
  showDetails: boolean;
  /** Where a photo was taken (GPS). */
  showPlace: boolean;
}

/**
 * `albumId` or `assetIds` (the caller's own photos, 1 to BULK_MAX). `password`: set one (at least
 * LINK_PASSWORD_MIN characters); absent or null: none. The settings not given are off (title: the
 * album's name, or "Photos").
 */
export interface CreateLinkRequest extends Partial<LinkSettings> {
  albumId?: string;
  assetIds?: string[];
  password?: string | null;
}

/** Any of the settings; `password`: a new one, or null to remove it. */
export interface UpdateLinkRequest extends Partial<LinkSettings> {
  password?: string | null;
}

export const LINK_PASSWORD_MIN = 4;

export interface SharedLink extends LinkSettings {
  id: string;
  key: string;
  /** The page's path, `/s/<key>`: put the server's origin in front. */
  path: string;
  albumId: string | null;
  /** Photos it shows now (the trash left out). */
  count: number;
  hasPassword: boolean;
  /** Times its page was opened, and the last time. */
  views: number;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface LinkList {
  links: SharedLink[];
}

export interface UnlockRequest {
  password: string;
}

/** What the link's page shows at the top. */
export interface PublicLink {
  title: string;
  description: string;
  kind: 'album' | 'selection';
  order: AlbumOrder;
  count: number;
  allowDownload: boolean;
  showDetails: boolean;
  showPlace: boolean;
  expiresAt: string | null;
  /** The photo shown as the link's cover (Open Graph too), null when there is none. */
  cover: { assetId: string; thumb: ThumbState } | null;
}

/** A photo as a link shows it: nothing about its storage, its owner, or its file unless allowed. */
export interface PublicAsset {
  id: string;
  mimeType: string;
  capturedAt: string;
  capturedOffsetMinutes: number | null;
  width: number | null;
  height: number | null;
  durationSeconds: number | null;
  thumb: ThumbState;
  rotation: Rotation;
  /** Only with details or downloads allowed. */
  filename: string | null;
}

export interface PublicAssetPage {
  items: PublicAsset[];
  nextCursor: string | null;
}

export interface PublicAssetDetails extends PublicAsset {
  bytes: number | null;
  make: AssetDetails['make'];
  model: AssetDetails['model'];
  lens: AssetDetails['lens'];
  location: AssetDetails['location'];
  place: AssetDetails['place'];
}
