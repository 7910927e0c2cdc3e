/** The typed API client of the page. Requests go through the queue's runtime-neutral requestJson. */
import type { AssetPage, ConfigResponse, LoginRequest, SetupRequest, User } from '../shared/api';
import { requestJson } from '../queue/http';

export { ApiError, NetworkError } from '../queue/http';

export function getConfig(signal?: AbortSignal): Promise<ConfigResponse> {
  return requestJson<ConfigResponse>('/api/config', { signal });
}

export function getMe(signal?: AbortSignal): Promise<User> {
  return requestJson<User>('/api/me', { signal });
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
