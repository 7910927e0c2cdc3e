import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import type { PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { withUploadLock } from '../queue/lock';
import { onDrainMessage, onSync } from './backup';
import { registerShareTarget } from './shareTarget';
import { registerThumbnailCaching } from './thumbnailCache';
import type { SyncEvent } from './backup';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

/** The message workbox-window's `messageSkipWaiting()` sends when the user accepts an update. */
interface SkipWaitingMessage {
  type: 'SKIP_WAITING';
}

function isSkipWaiting(data: unknown): data is SkipWaitingMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING';
}

/** The app shell (scripts, styles, icons, index.html) from the build's manifest, old revisions removed. */
function precacheAppShell(): void {
  precacheAndRoute(self.__WB_MANIFEST);
  cleanupOutdatedCaches();
}

/**
 * Every navigation gets the precached index.html, so a reload while offline shows the app
 * instead of the browser's offline page. API paths are never navigations of the app.
 */
function routeNavigationsToShell(): void {
  registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//] }));
}

/** How long the upload lock is kept for this worker's activation at most. */
const ACTIVATION_WAIT_MS = 30_000;

/** Resolves once this worker is the registration's active one. */
let markActivated: () => void = () => undefined;
const activated = new Promise<void>((resolve) => {
  markActivated = resolve;
});

/**
 * Takes over once no drain is running. Whoever uploads (a page's drain, or the old worker's on a
 * `sync`) holds the upload Web Lock for the whole drain; requesting the same lock queues behind
 * it (https://w3c.github.io/web-locks/#lock-manager-queue), so the new version never activates,
 * and reloads the pages, in the middle of a tus PATCH. The lock is kept until this worker is
 * active, so no drain queued behind this request starts an upload the reload would cut short.
 */
function activateWhenIdle(): Promise<void> {
  return withUploadLock(async () => {
    await self.skipWaiting();
    // Chromium lets the old worker finish its events first; should one of them wait for this
    // lock (a `sync` drain starting now), the bound keeps the two from waiting on each other.
    await Promise.race([activated, new Promise((resolve) => setTimeout(resolve, ACTIVATION_WAIT_MS))]);
  });
}

/** An update waits (prompt-style) until the page says the user accepted it; a page may ask for a drain. */
function onMessage(event: ExtendableMessageEvent): void {
  if (isSkipWaiting(event.data)) event.waitUntil(activateWhenIdle());
  else onDrainMessage(event);
}

/**
 * A worker activates on the first install, after the page's SKIP_WAITING, or once every tab of
 * the old version has closed. Pages the old worker controlled pass to this one by themselves;
 * claim() only adopts pages no worker controls, i.e. the first visit, so that it already works
 * offline without a reload. It never swaps the version under a running page.
 */
function onActivate(event: ExtendableEvent): void {
  event.waitUntil(self.clients.claim().then(markActivated));
}

precacheAppShell();
registerThumbnailCaching();
routeNavigationsToShell();
registerShareTarget();
self.addEventListener('message', onMessage);
self.addEventListener('activate', onActivate);
// 'sync' is missing from TypeScript's ServiceWorkerGlobalScopeEventMap (Background Sync is Chromium-only).
self.addEventListener('sync', (event) => onSync(event as SyncEvent));
