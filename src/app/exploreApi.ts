/** The map's and the memories' part of the API client (issue 17). */
import { MAP_ASSETS_MAX, type MapAssetsResponse, type MapMarkers } from '../shared/map';
import type { OnThisDayResponse, YearReview, YearsResponse } from '../shared/memories';
import type { Asset } from '../shared/api';
import { requestJson } from '../queue/http';

/** `date` is today on the person's calendar (`YYYY-MM-DD`). */
export function getOnThisDay(date: string, signal?: AbortSignal): Promise<OnThisDayResponse> {
  return requestJson<OnThisDayResponse>(
    `/api/memories/on-this-day?${new URLSearchParams({ date }).toString()}`,
    { signal },
  );
}

/** The years with photos, newest first, each with a cover. */
export function getYears(signal?: AbortSignal): Promise<YearsResponse> {
  return requestJson<YearsResponse>('/api/memories/years', { signal });
}

export function getYearReview(year: number, signal?: AbortSignal): Promise<YearReview> {
  return requestJson<YearReview>(`/api/memories/years/${encodeURIComponent(String(year))}`, { signal });
}

export function getMapMarkers(signal?: AbortSignal): Promise<MapMarkers> {
  return requestJson<MapMarkers>('/api/map/markers', { signal });
}

/** The photos of `ids`, MAP_ASSETS_MAX a request; others' and trashed ones are left out. */
export async function getMapAssets(ids: readonly string[], signal?: AbortSignal): Promise<Asset[]> {
  const items: Asset[] = [];
  for (let at = 0; at < ids.length; at += MAP_ASSETS_MAX) {
    const page = ids.slice(at, at + MAP_ASSETS_MAX).join(',');
    const response = await requestJson<MapAssetsResponse>(
      `/api/map/assets?${new URLSearchParams({ ids: page }).toString()}`,
      { signal },
    );
    items.push(...response.items);
  }
  return items;
}
