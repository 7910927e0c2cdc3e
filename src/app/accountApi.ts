/** The account part of the API client: password, sessions, storage, API tokens and (owner) users. */
import type {
  ApiToken,
  ChangePasswordRequest,
  CreateTokenRequest,
  CreateUserRequest,
  CreatedToken,
  StorageUsage,
  UpdateUserRequest,
  User,
  UserSummary,
} from '../shared/api';
import { requestJson } from '../queue/http';

const userPath = (id: string): string => `/api/users/${encodeURIComponent(id)}`;

export function changePassword(request: ChangePasswordRequest): Promise<void> {
  return requestJson<void>('/api/auth/password', { method: 'POST', body: request });
}

export function logoutEverywhere(): Promise<void> {
  return requestJson<void>('/api/auth/logout-everywhere', { method: 'POST' });
}

export function getStorage(signal?: AbortSignal): Promise<StorageUsage> {
  return requestJson<StorageUsage>('/api/me/storage', { signal });
}

export function listTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  return requestJson<ApiToken[]>('/api/tokens', { signal });
}

export function createToken(request: CreateTokenRequest): Promise<CreatedToken> {
  return requestJson<CreatedToken>('/api/tokens', { method: 'POST', body: request });
}

export function revokeToken(id: string): Promise<void> {
  return requestJson<void>(`/api/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function listUsers(signal?: AbortSignal): Promise<UserSummary[]> {
  return requestJson<UserSummary[]>('/api/users', { signal });
}

export function createUser(request: CreateUserRequest): Promise<User> {
  return requestJson<User>('/api/users', { method: 'POST', body: request });
}

export function updateUser(id: string, request: UpdateUserRequest): Promise<UserSummary> {
  return requestJson<UserSummary>(userPath(id), { method: 'PATCH', body: request });
}

export function resetPassword(id: string, password: string): Promise<void> {
  return requestJson<void>(`${userPath(id)}/password`, { method: 'POST', body: { password } });
}
