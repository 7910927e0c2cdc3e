/** Types of the JSON API under /api. */
import type { Limits } from './limits';

export type Role = 'owner' | 'member';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  /**
   * The most bytes this user's library (trash included) may hold, set by the owner; null: no
   * limit. An upload that would go over it is refused at creation with 413 QUOTA_EXCEEDED.
   */
  quotaBytes: number | null;
}

/** The owner sets a user's quota (null removes it). */
export interface SetQuotaRequest {
  quotaBytes: number | null;
}

/**
 * A user's storage on the server (`GET /api/me/storage`): what the library holds (trash included)
 * against the quota, and how it splits between the library and the trash.
 */
export interface StorageUsage {
  usedBytes: number;
  quotaBytes: number | null;
  /** In the library (not the trash). */
  assets: number;
  bytes: number;
  trashAssets: number;
  trashBytes: number;
}

export interface ConfigResponse {
  limits: Limits;
  /** True while the server has no account: the app shows "Create your account". */
  setupRequired: boolean;
  /**
   * Where tus uploads go, and the largest chunk (one PATCH body) the app may send: the server's
   * operator lowers it behind a reverse proxy with a body limit.
   */
  tus: { endpoint: string; maxChunkBytes: number };
}

/**
 * `GET /api/health`, for load balancers and orchestrators: 200 when this process can reach its
 * database and its blob store, 503 (with which one failed) when it cannot.
 */
export interface HealthResponse {
  ok: boolean;
  /** What this process does (SHOEBOX_ROLE). */
  role: 'api' | 'worker' | 'all';
  database: 'ok' | 'unavailable';
  store: 'ok' | 'unavailable';
}

export interface SetupRequest {
  email: string;
  name: string;
  password: string;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export type CreateUserRequest = SetupRequest & { role?: Role };

/**
 * What an API token may do. A session (the app) may do everything its user may.
 * - `full`: everything its user may, except managing API tokens, which takes a session or a
 *   `full` token.
 * - `upload`: upload (tus at /api/uploads, `POST /api/assets/check`) and `GET /api/me`; nothing
 *   that reads or changes the library. For a camera or a phone script that must not be able to
 *   download what is backed up.
 * - `read`: every GET of the library (timeline, details, thumbnails, originals) and
 *   `POST /api/assets/check`; nothing that uploads or changes anything.
 * A route the token may not use answers 403 TOKEN_SCOPE.
 */
export type TokenScope = 'full' | 'upload' | 'read';
export const TOKEN_SCOPES: readonly TokenScope[] = ['full', 'upload', 'read'];

/** `POST /api/auth/password`: the signed-in user's new password; other sessions end. */
export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

/** `GET /api/users` (owner only): an account with what it stores. */
export interface UserSummary extends User {
  /** When the owner turned the account off; null while it can sign in. */
  disabledAt: string | null;
  assets: number;
  /** Bytes stored, trash included (what counts against the quota). */
  bytes: number;
}

/** `PATCH /api/users/:id` (owner only): any of these (a quota as in SetQuotaRequest). */
export interface UpdateUserRequest extends Partial<SetQuotaRequest> {
  disabled?: boolean;
}

/** `POST /api/users/:id/password` (owner only): a new password; the account's sessions end. */
export interface ResetPasswordRequest {
  password: string;
}

export interface ApiToken {
  id: string;
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  /** After this instant (ISO, UTC) the token is refused (401); null: it never expires. */
  expiresAt: string | null;
}

export interface CreateTokenRequest {
  name: string;
  /** Default `full`. */
  scope?: TokenScope;
  /** ISO date-time in the future; omitted or null: never expires. */
  expiresAt?: string | null;
}

/** The secret is shown once, at creation. */
export interface CreatedToken extends ApiToken {
  token: string;
}

/** Why an asset shows a placeholder instead of a preview. */
export type ThumbPlaceholderCode =
  | 'empty'
  | 'video'
  | 'unsupported'
  | 'undecodable'
  | 'too-large'
  | 'timeout'
  /** Making the preview failed again and again (a server-side error); the original is kept. */
  | 'failed';

/**
 * Where an asset's preview stands. Thumbnails are made in the background after the upload is
 * acknowledged, so a new asset starts `pending`.
 * - `pending`: `GET /api/assets/:id/thumb` answers 404 THUMB_PENDING; show a tile of the asset's
 *   aspect ratio and ask again later (the next page load or details fetch says when it is ready).
 * - `ready`: `GET /api/assets/:id/thumb?size=s|l&v=<version>` is a WebP, cached for a year
 *   (`immutable`); `version` changes when the preview does (a new video poster), so put it in the
 *   URL.
 * - `placeholder`: the file cannot be previewed (damaged, unsupported, or a video without a
 *   poster frame); the thumb URL answers 200 with an SVG placeholder (`Shoebox-Thumb-State:
 *   placeholder`, not cached for long) and `reason` is a sentence to show. A video's placeholder
 *   becomes `ready` when its poster frame arrives (`POST /api/assets/:id/poster`).
 */
export type ThumbState =
  | { state: 'pending' }
  | { state: 'ready'; version: string }
  | { state: 'placeholder'; code: ThumbPlaceholderCode; reason: string };

/** `s`: about 320 px on the long side (grid); `l`: about 1280 px (viewer before the original loads). */
export type ThumbSize = 's' | 'l';

export interface Asset {
  id: string;
  filename: string;
  mimeType: string;
  bytes: number;
  /** SHA-256 (hex) of the stored bytes. */
  sha256: string;
  /** SHA-256 (hex) of the file as the user picked it. */
  sourceSha256: string;
  /**
   * Capture time as the camera's clock showed it (wall-clock time), written as an ISO string
   * ending in `Z` whatever the zone: `2021-04-11T15:47:53.000Z` for a photo taken at 15:47:53
   * local time. Sort and group by it as it is (the timeline does, on the server), and show it
   * without converting it to the viewer's zone (format with `timeZone: 'UTC'`).
   * `capturedOffsetMinutes` turns it into an instant where that is known.
   */
  capturedAt: string;
  /**
   * Minutes east of UTC of `capturedAt` (EXIF OffsetTimeOriginal, a video's creation date, or the
   * zone the client sent), null when unknown. The instant is `capturedAt − offset`.
   */
  capturedOffsetMinutes: number | null;
  uploadedAt: string;
  /** Size as displayed (EXIF orientation or video rotation applied); null when unreadable. */
  width: number | null;
  height: number | null;
  /** Videos only. */
  durationSeconds: number | null;
  thumb: ThumbState;
  /** When it was moved to the trash (ISO, UTC); null when it is in the library. */
  deletedAt: string | null;
  /** The account it belongs to: another's when it comes from a shared album. */
  ownerId: string;
  favorite: boolean;
  /** Archived: left out of the timeline, still in albums, favourites and search. */
  archived: boolean;
  /**
   * Quarter turns clockwise the owner added (a non-destructive edit): thumbnails and `width` and
   * `height` already show it, the original's bytes do not (see EditRequest).
   */
  rotation: Rotation;
}

export type Rotation = 0 | 90 | 180 | 270;

/** `GET /api/assets/:id`: an asset with everything stored about it. */
export interface AssetDetails extends Asset {
  make: string | null;
  model: string | null;
  lens: string | null;
  /** Where it was taken (decimal degrees, WGS 84), when the file says. */
  location: { latitude: number; longitude: number } | null;
  /** The place at `location` (offline reverse geocoding); null until known, or at sea. */
  place: AssetPlace | null;
}

export interface AssetPlace {
  /** ISO 3166-1 alpha-2: the app names the country in its own language. */
  countryCode: string;
  /** English. */
  country: string;
  region: string | null;
  city: string | null;
}

/**
 * `GET /api/assets?cursor=&limit=&from=`: the timeline, newest capture first (by `capturedAt`,
 * then `id`), trashed assets excluded. `limit` 1–500 (default 100). `from=YYYY-MM-DD` starts at
 * the newest asset captured on or before that day (a scrubber jump); `cursor` continues a
 * listing, with or without `from`.
 */
export interface AssetPage {
  items: Asset[];
  /** Pass as `?cursor=` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** The capture day (`capturedAt.slice(0, 10)`) of a group of assets, and how many. */
export interface DayBucket {
  day: string;
  count: number;
}

/**
 * `GET /api/assets/buckets`: every day that has assets (trash excluded), newest first, with
 * counts. Enough to size a virtualised timeline before its pages load and to draw a month
 * scrubber; the count of the days before a day is that day's index in the timeline.
 */
export interface AssetBuckets {
  days: DayBucket[];
  total: number;
}

/** Trashed assets are deleted for good this many days after they were moved to the trash, unless the server says otherwise (`SHOEBOX_TRASH_DAYS`, served as `TrashPage.retentionDays`). */
export const TRASH_RETENTION_DAYS = 30;

/**
 * `GET /api/trash?cursor=&limit=`: the caller's trash, most recently trashed first (by
 * `deletedAt`, then `id`). An item is purged at `deletedAt` + `retentionDays`.
 */
export interface TrashPage {
  items: Asset[];
  nextCursor: string | null;
  retentionDays: number;
}

/**
 * The trash routes:
 * - `DELETE /api/assets/:id` moves one asset to the trash; `POST /api/assets/:id/restore` brings
 *   it back. Both answer 200 with the `Asset` as it now is (404 ASSET_NOT_FOUND for what is not
 *   the caller's); doing either twice is harmless.
 * - `POST /api/assets/trash` and `POST /api/assets/restore` with `BulkAssetsRequest` (1 to
 *   BULK_MAX ids, for multi-select) answer `BulkAssetsResponse`.
 * - `GET /api/trash` answers `TrashPage`; `DELETE /api/trash` empties the caller's trash now and
 *   answers `EmptyTrashResponse`.
 * An asset in the trash keeps its details, thumbnails and original (all still served) until it
 * is purged; it is left out of the timeline, the day buckets and the dedup check.
 */
export const BULK_MAX = 500;

export interface BulkAssetsRequest {
  ids: string[];
}

/**
 * The ids, among those sent, of the caller's assets that are now in the requested place (in the
 * trash, or back in the library). Ids that are not the caller's are left out, as if missing.
 */
export interface BulkAssetsResponse {
  ids: string[];
}

/** `DELETE /api/trash`: how many assets were deleted for good. */
export interface EmptyTrashResponse {
  purged: number;
}

/**
 * `POST /api/assets/:id/poster` (videos only) takes a frame taken by the browser as the body,
 * `Content-Type: image/jpeg` or `image/webp`, at most this many bytes. It becomes the video's
 * thumbnails (replacing any earlier poster) and the answer is the video's `AssetDetails`, its
 * `thumb` now `ready`. Errors: 409 NOT_A_VIDEO, 413 TOO_LARGE, 415 UNSUPPORTED_TYPE (not a
 * JPEG or WebP), 422 POSTER_UNREADABLE (the image cannot be decoded).
 */
export const POSTER_MAX_BYTES = 2 * 1024 * 1024;

export const CHECK_BATCH_MAX = 500;

export interface CheckRequest {
  sourceSha256: string[];
}

/**
 * The source hashes already backed up, with their asset ids. An asset in the trash does not
 * count: uploading it again brings it back out of the trash (the upload answers `duplicate` with
 * its id, and no second copy is stored).
 */
export interface CheckResponse {
  existing: { sourceSha256: string; id: string }[];
}

export const PASSWORD_MIN_LENGTH = 8;
