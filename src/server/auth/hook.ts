import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { authenticate, authenticateNow, type Principal, type Refusal } from './principal';
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
  // A callback hook, not an async one: the session check of nearly every request is answered at
  // once (authenticateNow), and then costs no promise and no turn of the microtask queue.
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith('/api/') || request.routeOptions.config.public === true) {
      done();
      return;
    }
    const settle = (result: Principal | Refusal | null): void => {
      if (result === null) done(new ApiError('UNAUTHENTICATED'));
      else if (result.kind === 'refused') done(new ApiError('UNAUTHENTICATED', result.message));
      else if (!mayCall(result, request.method, route)) done(new ApiError('TOKEN_SCOPE'));
      else {
        request.principal = result;
        done();
      }
    };
    const credentials = {
      sessionSecret: request.cookies[SESSION_COOKIE],
      authorization: request.headers.authorization,
    };
    const now = ctx.now();
    const principal = authenticateNow(ctx.db, credentials, now);
    if (principal !== undefined) settle(principal);
    else authenticate(ctx.db, credentials, now).then(settle, done);
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
