/** The typed API client of the page. Requests go through the queue's runtime-neutral requestJson. */
import type { AssetPage, ConfigResponse, LoginRequest, SetupRequest, User } from '../shared/api';
import { requestJson } from '../queue/http';
import { fetchEarly } from './earlyFetch';
import { EARLY_PATHS } from './earlyStart';

export { ApiError, NetworkError } from '../queue/http';

export function getConfig(signal?: AbortSignal): Promise<ConfigResponse> {
  return requestJson<ConfigResponse>(EARLY_PATHS.config, { signal, fetch: fetchEarly });
}

export function getMe(signal?: AbortSignal): Promise<User> {
  return requestJson<User>(EARLY_PATHS.me, { signal, fetch: fetchEarly });
}

/** Creates the first (owner) account and signs it in. */
export function setup(request: SetupRequest): Promise<User> {
  return requestJson<User>('/api/setup', { method: 'POST', body: request });
}

export function login(request: LoginRequest): Promise<User> {
  return requestJson<User>('/api/auth/login', { method: 'POST', body: request });
}

export function logout(): Promise<void> {
  return requestJson<void>('/api/auth/logout', { method: 'POST' });
}

export function listAssets(cursor: string | null, signal?: AbortSignal): Promise<AssetPage> {
  const query = cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`;
  return requestJson<AssetPage>(`/api/assets${query}`, { signal });
}

export function originalUrl(assetId: string): string {
  return `/api/assets/${encodeURIComponent(assetId)}/original`;
}
