/**
 * `--album NAME`: the photos of a run (uploaded or already there) put in the caller's album of
 * that name, made if it does not exist; an album of another account shared with the caller as a
 * contributor counts too. Albums are issue 16's (`/api/albums`); a server without them answers
 * 404 at `GET /api/albums`, and the run stops before uploading anything.
 */
import { BULK_MAX } from '../shared/api';
import { HttpError, type ServerApi } from './api';
import { CliError } from './errors';

/** The fields of issue 16's `Album` this needs. */
interface AlbumHead {
  id: string;
  name: string;
  access: 'owner' | 'contributor' | 'viewer';
}

export type AlbumTarget = { kind: 'existing'; id: string; name: string } | { kind: 'new'; name: string };

/** Finds the album to add to, before anything is uploaded: a server without albums stops the run here. */
export async function findAlbum(api: ServerApi, name: string): Promise<AlbumTarget> {
  const wanted = name.trim();
  if (wanted === '') throw new CliError('usage', 'An album needs a name: --album "Summer 2024".');
  let albums: AlbumHead[];
  try {
    ({ albums } = await api.json<{ albums: AlbumHead[] }>('GET', '/api/albums'));
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      throw new CliError(
        'usage',
        `${api.origin} has no albums (this version of the Shoebox server does not support them). Nothing was uploaded; run again without --album.`,
      );
    }
    throw error;
  }
  const own = albums.find((album) => album.name === wanted && album.access !== 'viewer');
  return own === undefined ? { kind: 'new', name: wanted } : { kind: 'existing', id: own.id, name: own.name };
}

/** Puts the assets in the album (making it first when new); answers how many are in it now of those. */
export async function addToAlbum(
  api: ServerApi,
  target: AlbumTarget,
  assetIds: readonly string[],
): Promise<number> {
  const ids = [...new Set(assetIds)];
  let id: string;
  if (target.kind === 'existing') id = target.id;
  else ({ id } = await api.json<{ id: string }>('POST', '/api/albums', { body: { name: target.name } }));
  let added = 0;
  for (let at = 0; at < ids.length; at += BULK_MAX) {
    const batch = ids.slice(at, at + BULK_MAX);
    const answer = await api.json<{ ids: string[] }>('POST', `/api/albums/${encodeURIComponent(id)}/assets`, {
      body: { ids: batch },
    });
    added += answer.ids.length;
  }
  return added;
}
