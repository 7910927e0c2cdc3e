import { Workbox } from 'workbox-window';

/**
 * Registers the service worker (src/sw/sw.ts, built to /sw.js) in production builds only: in
 * development Vite serves modules the precache knows nothing about.
 */
export function registerServiceWorker(): Workbox | null {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return null;
  const workbox = new Workbox('/sw.js');
  workbox.register().catch((error: unknown) => {
    // Without a service worker the app still works online; it only loses the offline shell.
    console.warn('Shoebox could not register its service worker; it will not open offline.', error);
  });
  return workbox;
}
