/** The library's part of the API client: timeline pages, day buckets, details, trash. */
import {
  BULK_MAX,
  type AssetBuckets,
  type AssetDetails,
  type AssetPage,
  type BulkAssetsResponse,
  type EmptyTrashResponse,
  type TrashPage,
} from '../shared/api';
import { requestJson } from '../queue/http';
import { fetchEarly } from './earlyFetch';
import { EARLY_PATHS, thumbPath } from './earlyStart';

export interface PageQuery {
  cursor?: string | null;
  /** `YYYY-MM-DD`: start at the newest asset captured on or before that day. */
  from?: string | null;
  limit?: number;
}

function queryString(values: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The newest assets, as many as a first screen shows: asked for with the buckets, not after them. */
export const FIRST_PAGE: PageQuery = { limit: 100 };

export function pagePath(query: PageQuery): string {
  return `/api/assets${queryString({ cursor: query.cursor, from: query.from, limit: query.limit })}`;
}

// The timeline's first requests may have been started as the app opened (earlyStart.ts, router.ts):
// fetchEarly takes their answers.
export function listAssetPage(query: PageQuery, signal?: AbortSignal): Promise<AssetPage> {
  return requestJson<AssetPage>(pagePath(query), { signal, fetch: fetchEarly });
}

export function getBuckets(signal?: AbortSignal): Promise<AssetBuckets> {
  return requestJson<AssetBuckets>(EARLY_PATHS.buckets, { signal, fetch: fetchEarly });
}

export function getAssetDetails(id: string, signal?: AbortSignal): Promise<AssetDetails> {
  return requestJson<AssetDetails>(`/api/assets/${encodeURIComponent(id)}`, { signal });
}

/** Moves assets to the trash, BULK_MAX at a time; answers the ids that moved. */
export async function trashAssets(ids: readonly string[]): Promise<string[]> {
  return bulk('/api/assets/trash', ids);
}

/** Brings assets back from the trash; answers the ids that came back. */
export async function restoreAssets(ids: readonly string[]): Promise<string[]> {
  return bulk('/api/assets/restore', ids);
}

async function bulk(path: string, ids: readonly string[]): Promise<string[]> {
  const done: string[] = [];
  for (let i = 0; i < ids.length; i += BULK_MAX) {
    const body = { ids: ids.slice(i, i + BULK_MAX) };
    const response = await requestJson<BulkAssetsResponse>(path, { method: 'POST', body });
    done.push(...response.ids);
  }
  return done;
}

export function listTrashPage(cursor: string | null, signal?: AbortSignal): Promise<TrashPage> {
  return requestJson<TrashPage>(`/api/trash${queryString({ cursor, limit: 200 })}`, { signal });
}

export function emptyTrash(): Promise<EmptyTrashResponse> {
  return requestJson<EmptyTrashResponse>('/api/trash', { method: 'DELETE' });
}

export function originalUrl(id: string): string {
  return `/api/assets/${encodeURIComponent(id)}/original`;
}

/**
 * The preview URL of an asset, or null while it is being made; earlyStart.ts, which index.html
 * runs before the app, asks for the first tiles' previews by the same URLs.
 */
export const thumbUrl = thumbPath;
