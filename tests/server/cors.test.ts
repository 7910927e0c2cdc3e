/**
 * CORS for the origins in SHOEBOX_CORS_ORIGINS (issue 13): a page on another site (an Uppy
 * Dashboard) may upload and call the JSON API with a token; any other origin gets no
 * Access-Control-Allow-Origin, and with nothing configured no origin does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createOwner, encodeMetadata, startServer, type TestServer } from './helpers';

const SITE = 'https://blog.example.com';

describe('CORS', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer({ env: { SHOEBOX_CORS_ORIGINS: `${SITE}, http://localhost:5173` } });
    const owner = await createOwner(server.baseUrl);
    token = (await createApiToken(server.baseUrl, owner.auth, 'blog')).token;
  });
  afterAll(async () => {
    await server.close();
  });

  const preflight = (path: string, origin: string, method: string, headers: string): Promise<Response> =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
    });

  it('answers a listed origin’s preflight for tus, with tus’s own headers', async () => {
    const answer = await preflight(
      '/api/uploads',
      SITE,
      'POST',
      'authorization,tus-resumable,upload-length,upload-metadata',
    );
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(answer.headers.get('access-control-allow-methods')).toContain('PATCH');
    const allowed = (answer.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const name of [
      'authorization',
      'tus-resumable',
      'upload-length',
      'upload-metadata',
      'upload-checksum',
    ]) {
      expect(allowed).toContain(name);
    }
    expect(answer.headers.get('tus-version')).toBe('1.0.0');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets the page read a refusal, and with a token the creation and its headers', async () => {
    const headers = { origin: SITE, 'tus-resumable': '1.0.0', 'upload-length': '1000' };
    // Without a token, a request from another origin could only be using the session cookie,
    // which the Origin check (auth/origin.ts) refuses; the page can read why.
    const refused = await fetch(`${server.baseUrl}/api/uploads`, { method: 'POST', headers });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('CROSS_ORIGIN');

    const created = await fetch(`${server.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: {
        ...headers,
        authorization: `Bearer ${token}`,
        'upload-metadata': encodeMetadata({ filename: 'a.jpg' }),
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(SITE);
    const exposed = (created.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const name of [
      'location',
      'upload-offset',
      'upload-expires',
      'shoebox-asset-id',
      'shoebox-upload-outcome',
    ]) {
      expect(exposed).toContain(name);
    }
  });

  it('covers the JSON API too', async () => {
    const answer = await preflight('/api/assets', SITE, 'GET', 'authorization');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(SITE);
    const assets = await fetch(`${server.baseUrl}/api/assets`, {
      headers: { origin: SITE, authorization: `Bearer ${token}` },
    });
    expect(assets.status).toBe(200);
    expect(assets.headers.get('access-control-allow-origin')).toBe(SITE);
  });

  it('gives another origin nothing to read', async () => {
    const other = 'https://evil.example.com';
    expect(
      (await preflight('/api/uploads', other, 'POST', 'authorization')).headers.get(
        'access-control-allow-origin',
      ),
    ).toBeNull();
    const assets = await fetch(`${server.baseUrl}/api/assets`, {
      headers: { origin: other, authorization: `Bearer ${token}` },
    });
    expect(assets.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows no origin at all when none is configured', async () => {
    const plain = await startServer();
    try {
      const answer = await fetch(`${plain.baseUrl}/api/uploads`, {
        method: 'OPTIONS',
        headers: { origin: SITE, 'access-control-request-method': 'POST' },
      });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
