/**
 * The album an upload names in its metadata (`albumId`, issue 16: a folder added as an album).
 * The upload is the user's photo first: an album that is gone, or no longer open to the uploader
 * (a contributor removed, made a viewer), keeps the photo out of it, never out of the library.
 */
import type { FastifyBaseLogger } from 'fastify';
import { mayCall } from '../auth/scopes';
import type { Principal } from '../auth/principal';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { addToAlbum } from './albums';

/** The route whose scopes putting a photo in an album needs: the same as adding to it by hand. */
const ALBUM_ROUTE = '/api/albums/:id/assets';

/**
 * Refused before a byte is sent: a token that may upload but not change albums (an `upload`
 * token) cannot put its photos in one through the metadata either.
 */
export function checkAlbumScope(principal: Principal, albumId: string | null): void {
  if (albumId !== null && !mayCall(principal, 'POST', ALBUM_ROUTE)) throw new ApiError('TOKEN_SCOPE');
}

/**
 * Puts a stored upload's asset in its album, with the rights of the uploader at this moment
 * (owner or contributor; their own photo only).
 */
export async function addUploadToAlbum(
  ctx: AppContext,
  log: FastifyBaseLogger,
  upload: { ownerId: string; albumId: string; assetId: string },
): Promise<void> {
  try {
    await addToAlbum(ctx.db, upload.ownerId, upload.albumId, [upload.assetId], ctx.now());
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    log.info(
      { albumId: upload.albumId, assetId: upload.assetId, code: error.code },
      'upload kept out of the album it named',
    );
  }
}
