import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** An inline `<script>` (one without `src`) and what it holds. */
const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script\s*>/gi;

/**
 * The CSP source of each inline script in the built index.html (the early start, vite.config.ts
 * `earlyStartScript`): the page's own bytes are the one list, so a rebuild that changes the
 * script changes its hash with it, and nothing else inline may run.
 */
export async function inlineScriptHashes(staticDir: string): Promise<string[]> {
  let html: string;
  try {
    html = await fs.readFile(path.join(staticDir, 'index.html'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return [...html.matchAll(INLINE_SCRIPT)].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] ?? '')
        .digest('base64')}'`,
  );
}

/** One year, as HSTS preload lists ask. */
const HSTS_MAX_AGE_S = 365 * 24 * 60 * 60;

/**
 * Security headers on every response (issue 18, finding 5), from @fastify/helmet:
 * - a Content-Security-Policy with no 'unsafe-inline' anywhere: scripts from the app itself and
 *   the hashed early-start script; 'wasm-unsafe-eval' because hash-wasm compiles its SHA-256 in
 *   the page, its workers and the service worker; blob: images and media for the queue's
 *   thumbnails and video poster frames; no plugins, no framing by another site
 *   (frame-ancestors 'none'), forms and <base> only to this origin. Vue's `:style` bindings set
 *   the CSSOM, which style-src does not govern. No upgrade-insecure-requests: a LAN server on
 *   plain http:// would then break its own requests.
 * - nosniff, Referrer-Policy same-origin, Cross-Origin-Opener/Resource-Policy same-origin,
 *   X-Frame-Options for browsers without frame-ancestors.
 * - HSTS only on a response that went out over HTTPS (TLS here, or a trusted proxy's
 *   X-Forwarded-Proto): on plain HTTP it means nothing, and sent over HTTPS it pins the host.
 */
export async function registerSecurityHeaders(app: FastifyInstance, staticDir: string): Promise<void> {
  const scripts = ["'self'", "'wasm-unsafe-eval'", ...(await inlineScriptHashes(staticDir))];
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: scripts,
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'blob:', 'data:'],
        mediaSrc: ["'self'", 'blob:'],
        workerSrc: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.protocol === 'https') {
      void reply.header('strict-transport-security', `max-age=${HSTS_MAX_AGE_S}; includeSubDomains`);
    }
    done(null, payload);
  });
}
