/**
 * "Add a folder" as an album (issue 16: a folder of a trip is an album, as people ask of Immich):
 * the album is named after the folder and made before its files are queued, so that each queue
 * item carries its id (the upload puts the photo in it; src/queue/drain/checkStage.ts does for
 * photos the library already had).
 */
import { ALBUM_NAME_MAX, type Album } from '../../shared/albums';
import { createAlbum, listAlbums } from '../organiseApi';

/**
 * The folder a folder pick (`<input webkitdirectory>`) came from: the first segment of its files'
 * relative paths, the same for all of them; null when the files do not say (a plain file pick).
 */
export function pickedFolderName(files: readonly File[]): string | null {
  const name = (files[0]?.webkitRelativePath ?? '').split('/')[0]?.trim() ?? '';
  return name === '' ? null : name.slice(0, ALBUM_NAME_MAX);
}

/**
 * The album for a folder named `name`: the caller's album of that name, or one shared with them
 * to contribute to, when there is one (adding the folder again fills the same album), else a new one.
 */
export async function albumForFolder(name: string): Promise<Album> {
  const existing = (await listAlbums()).find((album) => album.name === name && album.access !== 'viewer');
  return existing ?? createAlbum({ name });
}
