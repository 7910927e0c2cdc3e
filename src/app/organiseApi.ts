/**
 * The app's part of issue 16's API: favourites and the archive, albums and their members, public
 * links. The JSON is described in src/shared/albums.ts and src/shared/links.ts.
 */
import { BULK_MAX, type AssetDetails, type BulkAssetsResponse, type Rotation } from '../shared/api';
import type {
  Album,
  AlbumAssetsResponse,
  AlbumList,
  CreateAlbumRequest,
  MemberRole,
  ShareableAccount,
  UpdateAlbumRequest,
} from '../shared/albums';
import type { CreateLinkRequest, LinkList, SharedLink, UpdateLinkRequest } from '../shared/links';
import { requestJson } from '../queue/http';

const albumPath = (id: string): string => `/api/albums/${encodeURIComponent(id)}`;

/** Sends ids BULK_MAX at a time; answers the ids the server changed. */
async function inBatches(
  ids: readonly string[],
  send: (batch: string[]) => Promise<{ ids: string[] }>,
): Promise<string[]> {
  const done: string[] = [];
  for (let i = 0; i < ids.length; i += BULK_MAX) done.push(...(await send(ids.slice(i, i + BULK_MAX))).ids);
  return done;
}

/** Marks the caller's photos as favourites (or not), or archives them (or brings them back). */
export function setFlags(
  ids: readonly string[],
  flags: { favorite?: boolean; archived?: boolean },
): Promise<string[]> {
  return inBatches(ids, (batch) =>
    requestJson<BulkAssetsResponse>('/api/assets', { method: 'PATCH', body: { ids: batch, ...flags } }),
  );
}

/**
 * Turns one of the caller's photos (non-destructive): `rotation` is the whole turn from the
 * original, clockwise, and 0 goes back to it. Answers the photo as it now shows.
 */
export function setRotation(id: string, rotation: Rotation): Promise<AssetDetails> {
  return requestJson<AssetDetails>(`/api/assets/${encodeURIComponent(id)}/edit`, {
    method: 'PUT',
    body: { rotation },
  });
}

export async function listAlbums(): Promise<Album[]> {
  return (await requestJson<AlbumList>('/api/albums')).albums;
}

export function getAlbum(id: string, signal?: AbortSignal): Promise<Album> {
  return requestJson<Album>(albumPath(id), { signal });
}

/** A new album holding `assetIds` (BULK_MAX at most at creation; the rest are added after). */
export async function createAlbum(request: CreateAlbumRequest): Promise<Album> {
  const ids = request.assetIds ?? [];
  const album = await requestJson<Album>('/api/albums', {
    method: 'POST',
    body: { ...request, assetIds: ids.slice(0, BULK_MAX) },
  });
  if (ids.length > BULK_MAX) await addToAlbum(album.id, ids.slice(BULK_MAX));
  return album;
}

export function updateAlbum(id: string, changes: UpdateAlbumRequest): Promise<Album> {
  return requestJson<Album>(albumPath(id), { method: 'PATCH', body: changes });
}

export function deleteAlbum(id: string): Promise<void> {
  return requestJson<void>(albumPath(id), { method: 'DELETE' });
}

export function addToAlbum(id: string, ids: readonly string[]): Promise<string[]> {
  return inBatches(ids, (batch) =>
    requestJson<AlbumAssetsResponse>(`${albumPath(id)}/assets`, { method: 'POST', body: { ids: batch } }),
  );
}

export function removeFromAlbum(id: string, ids: readonly string[]): Promise<string[]> {
  return inBatches(ids, (batch) =>
    requestJson<AlbumAssetsResponse>(`${albumPath(id)}/assets/remove`, {
      method: 'POST',
      body: { ids: batch },
    }),
  );
}

export function listAccounts(): Promise<ShareableAccount[]> {
  return requestJson<ShareableAccount[]>('/api/accounts');
}

export function addMember(albumId: string, userId: string, role: MemberRole): Promise<Album> {
  return requestJson<Album>(`${albumPath(albumId)}/members`, { method: 'POST', body: { userId, role } });
}

export function updateMember(
  albumId: string,
  userId: string,
  changes: { role?: MemberRole; showInTimeline?: boolean },
): Promise<Album> {
  return requestJson<Album>(`${albumPath(albumId)}/members/${encodeURIComponent(userId)}`, {
    method: 'PATCH',
    body: changes,
  });
}

/** The owner removes a member, or a member leaves. */
export function removeMember(albumId: string, userId: string): Promise<void> {
  return requestJson<void>(`${albumPath(albumId)}/members/${encodeURIComponent(userId)}`, {
    method: 'DELETE',
  });
}

export async function listLinks(): Promise<SharedLink[]> {
  return (await requestJson<LinkList>('/api/links')).links;
}

export function createLink(request: CreateLinkRequest): Promise<SharedLink> {
  return requestJson<SharedLink>('/api/links', { method: 'POST', body: request });
}

export function updateLink(id: string, changes: UpdateLinkRequest): Promise<SharedLink> {
  return requestJson<SharedLink>(`/api/links/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes });
}

/** Revokes a link: it stops working at once. */
export function deleteLink(id: string): Promise<void> {
  return requestJson<void>(`/api/links/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
