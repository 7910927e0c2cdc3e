import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from './errors';

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html, sw.js, the manifest: always revalidated, so a deploy reaches clients at once. */
const REVALIDATE = 'no-cache';

async function hasBuiltApp(staticDir: string): Promise<boolean> {
  try {
    return (await fs.stat(path.join(staticDir, 'index.html'))).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

const wantsHtml = (accept: string | undefined): boolean => accept?.includes('text/html') === true;
const isApiPath = (url: string): boolean =>
  url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/**
 * Serves the built app from `staticDir`: vite's content-hashed files under /assets/ are
 * immutable, everything else revalidates. A navigation to an unknown non-API path gets
 * index.html (the router takes it from there); anything else unknown is a JSON 404.
 * Without a built app only the API is served.
 */
export async function registerStatic(app: FastifyInstance, staticDir: string): Promise<void> {
  const serveApp = await hasBuiltApp(staticDir);
  if (serveApp) {
    await app.register(fastifyStatic, {
      root: staticDir,
      prefix: '/',
      wildcard: true,
      dotfiles: 'ignore',
      cacheControl: false,
      // The build writes .br and .gz copies of its text files (vite.config.ts, precompress).
      preCompressed: true,
      setHeaders: (reply, filePath) => {
        const [top] = path.relative(staticDir, filePath).split(path.sep);
        void reply.header('cache-control', top === 'assets' ? IMMUTABLE : REVALIDATE);
      },
    });
  }

  app.setNotFoundHandler((request, reply) => {
    const navigation = request.method === 'GET' || request.method === 'HEAD';
    if (serveApp && navigation && !isApiPath(request.url) && wantsHtml(request.headers.accept)) {
      return reply.header('cache-control', REVALIDATE).sendFile('index.html');
    }
    throw new ApiError('NOT_FOUND');
  });
}
