import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Sec-Fetch-Site values of a request the app itself made, or the user typed. */
const OWN_SITE = new Set(['same-origin', 'none']);

/**
 * Whether a request that may change something came from the app's own pages (or from no browser
 * at all). A browser names the page that sent a POST, PATCH or DELETE in `Origin` (Fetch
 * standard, "append a request Origin header"), and marks where it came from in Sec-Fetch-Site;
 * only a request with neither, which browsers do not send for these methods, is taken as a
 * script's and let through.
 */
export function isOwnOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined) return origin === `${request.protocol}://${request.host}`;
  const site = request.headers['sec-fetch-site'];
  return site === undefined || OWN_SITE.has(site);
}

/**
 * CSRF defence (issue 18, finding 6): SameSite=Lax alone let a page on another port of the same
 * host (same site, another origin) restore a trashed photo and sign the user out with a
 * text/plain form. Every /api request that may change something and would carry the session
 * cookie must come from this origin; a Bearer token is no ambient credential, so scripts that
 * send one are not asked. Sign-in and setup are checked too (no signing a victim into an
 * attacker's account).
 */
export function registerOriginCheck(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    const checked =
      route !== undefined &&
      route.startsWith('/api/') &&
      !SAFE_METHODS.has(request.method) &&
      request.headers.authorization === undefined;
    done(checked && !isOwnOrigin(request) ? new ApiError('CROSS_ORIGIN') : undefined);
  });
}
