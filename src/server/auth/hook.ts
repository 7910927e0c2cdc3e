import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { authenticate, type Principal } from './principal';
import { mayCall } from './scopes';
import { SESSION_COOKIE } from './sessions';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every authenticated /api request by the onRequest hook below. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** An /api route that answers without a session or token. */
    public?: boolean;
  }
}

/**
 * Every route under /api requires a session cookie or a Bearer token unless it is marked
 * `config: { public: true }`. It runs at onRequest, before any body is read or validated, so an
 * anonymous caller learns nothing but 401.
 */
export function registerAuthentication(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith('/api/') || request.routeOptions.config.public === true) {
      return;
    }
    const result = await authenticate(
      ctx.db,
      { sessionSecret: request.cookies[SESSION_COOKIE], authorization: request.headers.authorization },
      ctx.now(),
    );
    if (result === null) throw new ApiError('UNAUTHENTICATED');
    if (result.kind === 'refused') throw new ApiError('UNAUTHENTICATED', result.message);
    if (!mayCall(result, request.method, route)) throw new ApiError('TOKEN_SCOPE');
    request.principal = result;
  });
}

/** The caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new ApiError('UNAUTHENTICATED');
  return request.principal;
}

export function requireOwner(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (principal.user.role !== 'owner') throw new ApiError('FORBIDDEN');
  return principal;
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  secret: string,
  expires: Date,
): void {
  void reply.setCookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.protocol === 'https',
    expires,
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.protocol === 'https',
  });
}
