import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startServer, type TestServer } from './helpers';

const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('serving the built app', () => {
  let server: TestServer;
  let distDir: string;

  beforeAll(async () => {
    distDir = await makeTempDir('shoebox-dist-');
    await fs.mkdir(path.join(distDir, 'assets'));
    await fs.writeFile(path.join(distDir, 'index.html'), '<!doctype html><title>Shoebox</title>');
    await fs.writeFile(path.join(distDir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    await fs.writeFile(path.join(distDir, 'manifest.webmanifest'), '{"name":"Shoebox"}');
    await fs.writeFile(path.join(distDir, 'assets', 'index-4f3a9c1b.js'), 'console.log("app")');
    await fs.writeFile(path.join(distDir, '.env'), 'SECRET=1');
    server = await startServer({ env: { SHOEBOX_STATIC_DIR: distDir } });
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(distDir, { recursive: true, force: true });
  });

  const get = (url: string, accept = '*/*'): Promise<Response> =>
    fetch(`${server.baseUrl}${url}`, { headers: { accept } });

  it('caches hashed assets for a year', async () => {
    const response = await get('/assets/index-4f3a9c1b.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
  });

  it.each([
    ['/', /text\/html/],
    ['/index.html', /text\/html/],
    ['/sw.js', /javascript/],
    ['/manifest.webmanifest', /manifest\+json/],
  ])('revalidates %s', async (url, type) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-type')).toMatch(type);
  });

  it('answers a navigation to an app route with index.html', async () => {
    const response = await get('/library/2018', 'text/html,application/xhtml+xml');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('<title>Shoebox</title>');
  });

  it('answers unknown files and unknown API routes with a JSON 404', async () => {
    for (const [url, accept] of [
      ['/assets/missing-0000.js', '*/*'],
      ['/api/nothing', 'text/html'],
      ['/.env', '*/*'],
    ] as const) {
      const response = await get(url, accept);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found.' } });
    }
  });

  it('keeps the API working beside the app', async () => {
    const response = await get('/api/health');
    expect(await response.json()).toEqual({ ok: true, role: 'all', database: 'ok', store: 'ok' });
  });
});

describe('without a built app', () => {
  it('serves the API alone', async () => {
    const server = await startServer();
    try {
      expect((await fetch(`${server.baseUrl}/api/health`)).status).toBe(200);
      const page = await fetch(`${server.baseUrl}/`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
