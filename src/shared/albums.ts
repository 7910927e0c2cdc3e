/**
 * Albums, favourites, the archive and edits (issue 16): the JSON the /api/albums, /api/favorites,
 * /api/archive and /api/assets/:id/edit routes speak.
 *
 * Listings page like the timeline (`GET /api/assets`, `/api/assets/buckets`): `?cursor=&limit=&from=`
 * answers an `AssetPage` (an album's: `AlbumPage`), and `…/buckets` the day counts in the
 * listing's order. The trash is left out of all of them: a photo in the trash leaves its albums
 * and links until it is restored.
 * - `GET /api/favorites`, `GET /api/favorites/buckets`: the caller's favourites, archived ones too.
 * - `GET /api/archive`, `GET /api/archive/buckets`: what the caller archived (left out of the timeline).
 * - `GET /api/albums/:id/assets`, `GET /api/albums/:id/assets/buckets`: an album in its order.
 */
import type { Asset, ThumbState } from './api';

/** `desc`: newest first; `asc`: oldest first. */
export type AlbumOrder = 'desc' | 'asc';

/** What a member of a shared album may do: look, or also add their own photos. */
export type MemberRole = 'viewer' | 'contributor';

/** The caller's part in an album. */
export type AlbumAccess = 'owner' | MemberRole;

export const ALBUM_NAME_MAX = 200;
export const ALBUM_DESCRIPTION_MAX = 2000;

export interface AlbumMember {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  addedAt: string;
}

export interface Album {
  id: string;
  name: string;
  description: string;
  order: AlbumOrder;
  owner: { id: string; name: string };
  /** What the caller may do with it. */
  access: AlbumAccess;
  /** A member's choice to see the album's photos in their own timeline; false for the owner. */
  showInTimeline: boolean;
  /** The cover the owner chose, or null: the album's first photo in its order. */
  coverAssetId: string | null;
  /** The photo shown as the cover now (the chosen one unless it left the album), null when empty. */
  cover: { assetId: string; thumb: ThumbState } | null;
  /** Photos and videos in it, the trash left out. */
  count: number;
  /** Capture times of its oldest and newest photo; null when empty. */
  firstCapturedAt: string | null;
  lastCapturedAt: string | null;
  members: AlbumMember[];
  createdAt: string;
  updatedAt: string;
}

/** `GET /api/albums`: the caller's albums and those shared with them, most recently changed first. */
export interface AlbumList {
  albums: Album[];
}

/**
 * `POST /api/albums` (201 `Album`). `assetIds`: the caller's own photos to put in it at once (a
 * selection, or a folder just added); others' are left out.
 */
export interface CreateAlbumRequest {
  name: string;
  description?: string;
  assetIds?: string[];
}

/** `PATCH /api/albums/:id` (owner only; answers the `Album`). `coverAssetId: null` goes back to the first photo. */
export interface UpdateAlbumRequest {
  name?: string;
  description?: string;
  order?: AlbumOrder;
  coverAssetId?: string | null;
}

/**
 * `POST /api/albums/:id/assets` adds the caller's own photos (owner and contributors);
 * `POST /api/albums/:id/assets/remove` takes photos out (the owner: any; a contributor: those they
 * added). 1 to BULK_MAX ids each; answers `AlbumAssetsResponse`. The photos themselves stay in
 * the library. A viewer gets 403 ALBUM_READ_ONLY.
 */
export interface AlbumAssetsRequest {
  ids: string[];
}

/** The ids, among those sent, now in the album (adding) or out of it (removing). */
export interface AlbumAssetsResponse {
  ids: string[];
}

/** An album's photo, and who put it there. */
export interface AlbumAsset extends Asset {
  addedBy: string;
}

export interface AlbumPage {
  items: AlbumAsset[];
  nextCursor: string | null;
}

/**
 * Sharing an album with another account of this server (owner only): `POST /api/albums/:id/members`
 * adds one (201 `Album`), `PATCH /api/albums/:id/members/:userId` changes their role (owner) or, for
 * the member themselves, `showInTimeline`; `DELETE /api/albums/:id/members/:userId` removes them
 * (the owner), or leaves (the member themselves). What a member added leaves with them.
 */
export interface AddMemberRequest {
  userId: string;
  role: MemberRole;
}

export interface UpdateMemberRequest {
  role?: MemberRole;
  showInTimeline?: boolean;
}

/** `GET /api/accounts`: the other accounts of this server, to share with. */
export interface ShareableAccount {
  id: string;
  name: string;
  email: string;
}

/**
 * `PATCH /api/assets` (1 to BULK_MAX ids, the caller's own): mark as favourites or not, archive
 * or bring back to the timeline. Answers `BulkAssetsResponse`: the ids changed.
 */
export interface OrganiseRequest {
  ids: string[];
  favorite?: boolean;
  archived?: boolean;
}

/**
 * `PUT /api/assets/:id/edit`: the non-destructive edit, stored beside the asset and applied to its
 * thumbnails and `GET /api/assets/:id/edited`; the original is never rewritten. `rotation` is the
 * whole turn from the original (0 undoes). Answers the `AssetDetails`.
 */
export interface EditRequest {
  rotation: 0 | 90 | 180 | 270;
}
