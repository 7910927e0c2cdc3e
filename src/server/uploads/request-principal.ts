import type { Principal } from '../auth/principal';
import { ApiError } from '../errors';

/**
 * The caller of a tus request. fastify authenticates it (auth/hook.ts) and the adapter binds the
 * principal to the Web `Request` it hands to @tus/server, whose hooks receive that same object.
 */
const principals = new WeakMap<Request, Principal>();

export function bindPrincipal(request: Request, principal: Principal): void {
  principals.set(request, principal);
}

export function tusPrincipal(request: Request): Principal {
  const principal = principals.get(request);
  if (principal === undefined) throw new ApiError('UNAUTHENTICATED');
  return principal;
}
