import { readonly, ref } from 'vue';
import type { DeepReadonly, Ref } from 'vue';
import type { Workbox } from 'workbox-window';

/** A new version's service worker is installed and waits for the user's go-ahead. */
const updateReady = ref(false);
/** The user accepted it: the new worker activates once no upload is in flight, then the page reloads. */
const updating = ref(false);
let workbox: Workbox | null = null;

/**
 * Registers the service worker (src/sw/sw.ts, built to /sw.js) in production builds only: in
 * development Vite serves modules the precache knows nothing about. A new version waits
 * (prompt-style) until the user chooses to reload (`applyUpdate`).
 */
export async function registerServiceWorker(): Promise<Workbox | null> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return null;
  // Loaded here rather than imported at the top: the update prompt's state above is part of the
  // app shell, workbox-window is not needed for its first paint.
  const { Workbox } = await import('workbox-window');
  workbox = new Workbox('/sw.js');
  // Also fired for a version that was already waiting when this page opened (wasWaitingBeforeRegister).
  workbox.addEventListener('waiting', () => {
    updateReady.value = true;
  });
  // The new version took over: this page still runs the old code, whose lazily loaded screens
  // the new precache no longer has, so every tab that knew of the update reloads, not only the
  // one where the user clicked.
  workbox.addEventListener('controlling', () => {
    if (updateReady.value) window.location.reload();
  });
  workbox.register().catch((error: unknown) => {
    // Without a service worker the app still works online; it only loses the offline shell.
    console.warn('Shoebox could not register its service worker; it will not open offline.', error);
  });
  return workbox;
}

/**
 * Asks the waiting worker to take over. It does so only once no drain holds the upload lock
 * (src/sw/sw.ts), so an upload in flight finishes first; the page reloads on `controlling`.
 */
function applyUpdate(): void {
  if (workbox === null || updating.value) return;
  updating.value = true;
  workbox.messageSkipWaiting();
}

/** The update prompt's state ("A new version is ready — Reload") and its action. */
export function useServiceWorkerUpdate(): {
  updateReady: DeepReadonly<Ref<boolean>>;
  updating: DeepReadonly<Ref<boolean>>;
  applyUpdate: () => void;
} {
  return { updateReady: readonly(updateReady), updating: readonly(updating), applyUpdate };
}
