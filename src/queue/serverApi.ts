import type { CheckRequest, CheckResponse, ConfigResponse, User } from '../shared/api';
import type { AlbumAssetsRequest, AlbumAssetsResponse } from '../shared/albums';
import { requestJson } from './http';
import type { FetchFn } from './http';

/** The API calls the drain needs besides tus; an interface so tests can stand in for the server. */
export interface QueueServer {
  config(signal?: AbortSignal): Promise<ConfigResponse>;
  /** Which of these source hashes the signed-in user's library already has (at most CHECK_BATCH_MAX). */
  check(sourceSha256: string[], signal?: AbortSignal): Promise<CheckResponse>;
  /** The signed-in user; a 401 ApiError when the session is gone. */
  me(signal?: AbortSignal): Promise<User>;
  /**
   * Puts already backed-up assets in an album (items of a folder added as an album, issue 16);
   * rejects like requestJson (404 for an album gone, 403 for one the user may no longer add to).
   */
  addToAlbum(albumId: string, assetIds: string[], signal?: AbortSignal): Promise<void>;
  /** Sends a video's poster frame (JPEG or WebP) taken by the page; rejects like requestJson. */
  poster(assetId: string, image: Blob, signal?: AbortSignal): Promise<void>;
}

export function createQueueServer(fetchFn?: FetchFn): QueueServer {
  return {
    config: (signal) => requestJson<ConfigResponse>('/api/config', { signal, fetch: fetchFn }),
    check: (sourceSha256, signal) =>
      requestJson<CheckResponse>('/api/assets/check', {
        method: 'POST',
        body: { sourceSha256 } satisfies CheckRequest,
        signal,
        fetch: fetchFn,
      }),
    me: (signal) => requestJson<User>('/api/me', { signal, fetch: fetchFn }),
    addToAlbum: async (albumId, assetIds, signal) => {
      await requestJson<AlbumAssetsResponse>(`/api/albums/${encodeURIComponent(albumId)}/assets`, {
        method: 'POST',
        body: { ids: assetIds } satisfies AlbumAssetsRequest,
        signal,
        fetch: fetchFn,
      });
    },
    // The poster route takes the image itself as the body, not JSON (src/shared/api.ts).
    poster: async (assetId, image, signal) => {
      await requestJson<unknown>(`/api/assets/${encodeURIComponent(assetId)}/poster`, {
        method: 'POST',
        body: image,
        signal,
        fetch: fetchFn,
      });
    },
  };
}
