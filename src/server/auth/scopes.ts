import type { TokenScope } from '../../shared/api';
import { TUS_ENDPOINT } from '../../shared/tus';
import type { Principal } from './principal';

const ALL: readonly TokenScope[] = ['full', 'upload', 'read'];
const FULL: readonly TokenScope[] = ['full'];
const READ: readonly TokenScope[] = ['full', 'read'];
const UPLOAD: readonly TokenScope[] = ['full', 'upload'];

/**
 * The token scopes that may call a route (shared/api.ts `TokenScope` says what each means): the
 * one list of them. Uploading is tus, whatever the method; the dedup check only reads hashes, so
 * both narrow scopes may ask it; every other GET reads the library; anything else changes it.
 * Tokens are managed with a session or a full token only, so a leaked narrow token cannot mint a
 * wider one.
 */
export function scopesFor(method: string, route: string): readonly TokenScope[] {
  if (route === TUS_ENDPOINT || route.startsWith(`${TUS_ENDPOINT}/`)) return UPLOAD;
  if (route === '/api/tokens' || route.startsWith('/api/tokens/')) return FULL;
  if (method === 'GET' && route === '/api/me') return ALL;
  if (method === 'POST' && route === '/api/assets/check') return ALL;
  if (method === 'GET' || method === 'HEAD') return READ;
  return FULL;
}

/** Whether the caller may use the route: a session may do all its user may. */
export function mayCall(principal: Principal, method: string, route: string): boolean {
  return principal.kind === 'session' || scopesFor(method, route).includes(principal.scope);
}
