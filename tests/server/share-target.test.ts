/**
 * POST /share-target when no service worker answered it (issue 5, Share target): the server
 * redirects to the Backup screen, which says that nothing was received, and stores nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, makeTempDir, startServer, type TestServer } from './helpers';

describe('POST /share-target reaching the server', () => {
  let server: TestServer;
  let distDir: string;

  beforeAll(async () => {
    distDir = await makeTempDir('shoebox-dist-');
    await fs.writeFile(path.join(distDir, 'index.html'), '<!doctype html><title>Shoebox</title>');
    server = await startServer({ env: { SHOEBOX_STATIC_DIR: distDir } });
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(distDir, { recursive: true, force: true });
  });

  const share = (
    body: FormData | string | undefined,
    headers: Record<string, string> = {},
  ): Promise<Response> =>
    fetch(`${server.baseUrl}/share-target`, { method: 'POST', body, headers, redirect: 'manual' });

  it('redirects a multipart share, however large, to the Backup screen without reading it', async () => {
    const form = new FormData();
    form.append('title', 'Holiday');
    // Over fastify's default 1 MiB body limit: the body is never parsed, so it is no 413.
    form.append('media', new File([new Uint8Array(3 * 1024 * 1024)], 'clip.mp4', { type: 'video/mp4' }));
    form.append('media', new File([new Uint8Array(10)], 'photo.jpg', { type: 'image/jpeg' }));
    const response = await share(form);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/backup?shared=no-worker');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await listFiles(path.join(server.dataDir, 'blobs'))).toEqual([]);
  });

  it('redirects a share with no files, or no body at all, the same way', async () => {
    for (const response of [
      await share('text=hello', { 'content-type': 'application/x-www-form-urlencoded' }),
      await share(undefined),
    ]) {
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/backup?shared=no-worker');
    }
  });

  it('leaves a GET of the same address to the app', async () => {
    const response = await fetch(`${server.baseUrl}/share-target`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Shoebox</title>');
  });
});
