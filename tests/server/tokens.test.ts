import { randomUUID } from 'node:crypto';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiToken, CreatedToken, TokenScope } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { scopesFor } from '../../src/server/auth/scopes';
import { API_REFERENCE_PREFIX, OPENAPI_PATH } from '../../src/server/openapi';
import {
  api,
  createOwner,
  readCorpusFile,
  startServer,
  tusUpload,
  type Account,
  type TestServer,
} from './helpers';

async function token(
  server: TestServer,
  owner: Account,
  body: { name: string; scope?: TokenScope; expiresAt?: string | null },
): Promise<CreatedToken> {
  const created = await api<CreatedToken>(server.baseUrl, 'POST', '/api/tokens', { auth: owner.auth, body });
  expect(created.status).toBe(201);
  return created.body;
}

describe('API token expiry', () => {
  let now = new Date('2030-01-01T00:00:00Z');
  let server: TestServer;
  let owner: Account;
  beforeAll(async () => {
    server = await startServer({ app: { now: () => now } });
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a token from its expiry on, with a sentence that says so', async () => {
    const created = await token(server, owner, { name: 'a week', expiresAt: '2030-01-08T00:00:00Z' });
    expect(created.expiresAt).toBe('2030-01-08T00:00:00.000Z');
    const auth = { token: created.token };
    now = new Date('2030-01-07T23:59:59Z');
    expect((await api(server.baseUrl, 'GET', '/api/me', { auth })).status).toBe(200);
    now = new Date('2030-01-08T00:00:00Z');
    const refused = await api<ApiErrorBody>(server.baseUrl, 'GET', '/api/me', { auth });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'This API token has expired. Create a new one in Settings.',
    });
    // Still listed, so the user sees which one expired.
    const list = await api<ApiToken[]>(server.baseUrl, 'GET', '/api/tokens', { auth: owner.auth });
    expect(list.body.find((item) => item.id === created.id)?.expiresAt).toBe('2030-01-08T00:00:00.000Z');
  });

  it('refuses an expiry in the past, a malformed one and an unknown scope', async () => {
    for (const body of [
      { name: 'x', expiresAt: '2029-12-31T00:00:00Z' },
      { name: 'x', expiresAt: 'next tuesday' },
      { name: 'x', scope: 'admin' },
    ]) {
      const response = await api<ApiErrorBody>(server.baseUrl, 'POST', '/api/tokens', {
        auth: owner.auth,
        body,
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('BAD_REQUEST');
    }
  });
});

/** Fills `:params` so that the route matches. */
const concrete = (url: string): string => url.replace(/:[A-Za-z]+/g, () => randomUUID());

describe('API token scopes, on every route', () => {
  let server: TestServer;
  let owner: Account;
  const routes: { method: string; url: string; public: boolean }[] = [];
  const tokens = new Map<TokenScope, string>();

  beforeAll(async () => {
    server = await startServer({
      app: {
        onRoute: (route: RouteOptions) => {
          const methods = Array.isArray(route.method) ? route.method : [route.method];
          // A public route takes no credentials at all (a public link's page checks its key).
          const open = route.config?.public === true;
          for (const method of methods) routes.push({ method, url: route.url, public: open });
        },
      },
    });
    owner = await createOwner(server.baseUrl);
    for (const scope of ['full', 'upload', 'read'] as const) {
      tokens.set(scope, (await token(server, owner, { name: scope, scope })).token);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it('lets each scope reach exactly the routes its list allows, and answers 403 TOKEN_SCOPE elsewhere', async () => {
    const guarded = routes.filter(
      (route) =>
        route.url.startsWith('/api/') &&
        !route.public &&
        !['/api/config', '/api/health', '/api/setup', '/api/auth/login', OPENAPI_PATH].includes(route.url) &&
        // The API reference is public: it describes the API, not anyone's data.
        !route.url.startsWith(API_REFERENCE_PREFIX) &&
        // tus's OPTIONS needs no credentials (require-auth.test.ts).
        route.method !== 'OPTIONS',
    );
    expect(guarded.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    let refused = 0;
    for (const route of guarded) {
      for (const [scope, secret] of tokens) {
        const response = await fetch(`${server.baseUrl}${concrete(route.url)}`, {
          method: route.method,
          headers: { authorization: `Bearer ${secret}`, 'tus-resumable': '1.0.0' },
        });
        const body = route.method === 'HEAD' ? '' : await response.text();
        const allowed = scopesFor(route.method, route.url).includes(scope);
        const scopeRefusal =
          response.status === 403 && (route.method === 'HEAD' || body.includes('"TOKEN_SCOPE"'));
        if (scopeRefusal) refused += 1;
        if (allowed === scopeRefusal || response.status === 401 || response.status >= 500) {
          wrong.push(`${scope} ${route.method} ${route.url} → ${response.status} ${body.slice(0, 120)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(refused).toBeGreaterThan(20);
  });

  it('lets an upload token upload but not read the library; a read token the reverse', async () => {
    const file = await readCorpusFile('Canon_40D.jpg');
    const upload = { token: tokens.get('upload') ?? '' };
    const read = { token: tokens.get('read') ?? '' };
    const uploaded = await tusUpload(server.baseUrl, upload, {
      bytes: file,
      filename: 'a.jpg',
      type: 'image/jpeg',
    });
    expect(uploaded.ok).toBe(true);
    if (!uploaded.ok) return;
    expect(
      (await api(server.baseUrl, 'GET', `/api/assets/${uploaded.assetId}`, { auth: upload })).status,
    ).toBe(403);
    expect((await api(server.baseUrl, 'GET', `/api/assets/${uploaded.assetId}`, { auth: read })).status).toBe(
      200,
    );
    const original = await fetch(`${server.baseUrl}/api/assets/${uploaded.assetId}/original`, {
      headers: { authorization: `Bearer ${read.token}` },
    });
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).equals(file)).toBe(true);
    const trashed = await api<ApiErrorBody>(server.baseUrl, 'DELETE', `/api/assets/${uploaded.assetId}`, {
      auth: read,
    });
    expect(trashed.status).toBe(403);
    expect(trashed.body.error.code).toBe('TOKEN_SCOPE');
    const second = await tusUpload(server.baseUrl, read, {
      bytes: file,
      filename: 'a.jpg',
      type: 'image/jpeg',
    });
    expect(second.ok ? 0 : second.status).toBe(403);
    // A narrow token cannot mint a wider one.
    const minted = await api(server.baseUrl, 'POST', '/api/tokens', {
      auth: upload,
      body: { name: 'wider' },
    });
    expect(minted.status).toBe(403);
  });
});
