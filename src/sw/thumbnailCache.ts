import { ExpirationPlugin } from 'workbox-expiration';
import { registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst } from 'workbox-strategies';

import { THUMBNAIL_CACHE } from '../shared/caches';

declare const self: ServiceWorkerGlobalScope;

export { THUMBNAIL_CACHE };

/** About 320 px WebP previews run 10–30 KB each: 5,000 of them stay well under 150 MB. */
export const THUMBNAIL_MAX_ENTRIES = 5_000;
export const THUMBNAIL_MAX_AGE_SECONDS = 60 * 24 * 60 * 60;

const THUMB_PATH = /^\/api\/assets\/[^/]+\/thumb$/;

/** The timeline's day buckets and pages: what the library needs to lay out the thumbnails it shows. */
const TIMELINE_PATH = /^\/api\/assets(\/buckets)?$/;

/** True for this origin's `GET /api/assets/:id/thumb…` requests. */
export function isThumbnailRequest(url: URL, origin: string): boolean {
  return url.origin === origin && THUMB_PATH.test(url.pathname);
}

/**
 * Thumbnails that were seen are answered from the cache, so the library still browses offline
 * for what was already shown. Cache-first is safe: a ready thumbnail's URL carries its version
 * (`?v=`) and never changes content, and a pending one (404 THUMB_PENDING) is not cached, because
 * workbox strategies only store 200 responses unless a plugin says otherwise.
 * `purgeOnQuotaError` drops this cache first when the origin runs out of storage, before the
 * upload queue's IndexedDB is at risk.
 */
export function registerThumbnailCaching(): void {
  // The timeline's lists, from the network whenever it answers, else the last answer seen: offline,
  // the library still lays out what was seen, and its cached thumbnails fill it. They share the
  // thumbnails' cache, so signing out deletes them too.
  registerRoute(
    ({ url, request }) =>
      request.method === 'GET' && url.origin === self.location.origin && TIMELINE_PATH.test(url.pathname),
    new NetworkFirst({ cacheName: THUMBNAIL_CACHE }),
  );
  registerRoute(
    ({ url, request }) => request.method === 'GET' && isThumbnailRequest(url, self.location.origin),
    new CacheFirst({
      cacheName: THUMBNAIL_CACHE,
      plugins: [
        new ExpirationPlugin({
          maxEntries: THUMBNAIL_MAX_ENTRIES,
          maxAgeSeconds: THUMBNAIL_MAX_AGE_SECONDS,
          purgeOnQuotaError: true,
        }),
      ],
    }),
  );
}
