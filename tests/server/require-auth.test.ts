import { randomUUID } from 'node:crypto';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_REFERENCE_PREFIX } from '../../src/server/openapi';
import { createOwner, startServer, type TestServer } from './helpers';

/** The only /api routes that answer without a session or token. Adding one is a decision. */
const PUBLIC_ROUTES = [
  'GET /api/config',
  'GET /api/health',
  'GET /api/openapi.json',
  'HEAD /api/config',
  'HEAD /api/health',
  'HEAD /api/openapi.json',
  // tus 1.0.0 OPTIONS "to gather information about the Server's current configuration", and a
  // browser's CORS preflight, which never carries credentials (issue 13).
  'OPTIONS /api/uploads',
  'OPTIONS /api/uploads/:uploadId',
  'POST /api/auth/login',
  'POST /api/setup',
  // A public link's page (issue 16): each route checks the link's key, expiry and password itself
  // (tests/server/links.test.ts).
  ...['', '/assets', '/assets/buckets', '/assets/:id', '/assets/:id/thumb', '/assets/:id/original'].flatMap(
    (path) => [`GET /api/s/:key${path}`, `HEAD /api/s/:key${path}`],
  ),
  'POST /api/s/:key/unlock',
];

/** The API reference (Swagger UI and its files) describes the API, not anyone's data. */
const isPublic = (route: { method: string; url: string }): boolean =>
  PUBLIC_ROUTES.includes(`${route.method} ${route.url}`) ||
  route.url === API_REFERENCE_PREFIX ||
  route.url.startsWith(`${API_REFERENCE_PREFIX}/`);

/** Fills `:params` so that the route matches. */
const concrete = (url: string): string => url.replace(/:[A-Za-z]+/g, () => randomUUID());

describe('every /api route requires a session or token', () => {
  let server: TestServer;
  const routes: { method: string; url: string }[] = [];

  beforeAll(async () => {
    server = await startServer({
      app: {
        onRoute: (route: RouteOptions) => {
          const methods = Array.isArray(route.method) ? route.method : [route.method];
          for (const method of methods) routes.push({ method, url: route.url });
        },
      },
    });
    // With an account present, a 401 cannot be mistaken for "no setup yet".
    await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('finds the routes of the app', () => {
    const apiRoutes = routes
      .filter((route) => route.url.startsWith('/api/'))
      .map((route) => `${route.method} ${route.url}`);
    expect(apiRoutes).toEqual(
      expect.arrayContaining([
        'GET /api/me',
        'POST /api/assets/check',
        'GET /api/assets/:id/original',
        'PATCH /api/uploads/:uploadId',
        ...PUBLIC_ROUTES,
      ]),
    );
    expect(apiRoutes.length).toBeGreaterThan(20);
  });

  it('answers 401 UNAUTHENTICATED to each one without credentials', async () => {
    const guarded = routes.filter((route) => route.url.startsWith('/api/') && !isPublic(route));
    const failures: string[] = [];
    for (const route of guarded) {
      const attempts: Record<string, string>[] = [
        {},
        { cookie: 'shoebox_session=forged' },
        { authorization: 'Bearer sbx_forged' },
      ];
      for (const credentials of attempts) {
        const response = await fetch(`${server.baseUrl}${concrete(route.url)}`, {
          method: route.method,
          headers: { 'tus-resumable': '1.0.0', ...credentials },
        });
        const body = route.method === 'HEAD' ? null : await response.text();
        const ok =
          response.status === 401 && (body === null || JSON.parse(body).error?.code === 'UNAUTHENTICATED');
        if (!ok)
          failures.push(
            `${route.method} ${route.url} ${JSON.stringify(credentials)} → ${response.status} ${body}`,
          );
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers an unknown /api route with a JSON 404', async () => {
    const response = await fetch(`${server.baseUrl}/api/nothing-here`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found.' } });
  });
});
