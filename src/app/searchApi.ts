/** Search's part of the API client (issue 17): result pages and suggestions. */
import type { SearchResponse, SuggestionsResponse } from '../shared/search';
import { requestJson } from '../queue/http';

export function searchPage(
  query: string,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<SearchResponse> {
  const params = new URLSearchParams({ q: query, limit: '100' });
  if (cursor !== null) params.set('cursor', cursor);
  return requestJson<SearchResponse>(`/api/search?${params.toString()}`, { signal });
}

export function searchSuggestions(query: string, signal?: AbortSignal): Promise<SuggestionsResponse> {
  return requestJson<SuggestionsResponse>(
    `/api/search/suggestions?${new URLSearchParams({ q: query }).toString()}`,
    {
      signal,
    },
  );
}
