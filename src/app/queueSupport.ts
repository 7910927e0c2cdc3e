/** What the queue store needs of the browser around the queue itself. */
import { registerBackgroundSync } from '../queue/backgroundSync';

/**
 * Wakes the service worker once online (Background Sync), where it exists; where it does not
 * (Firefox, Safari) the page's own triggers are the whole path, so there is nothing to do.
 */
export async function requestSync(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  if (registration !== undefined) await registerBackgroundSync(registration);
}

/**
 * Asks the browser not to evict the queue under storage pressure (DESIGN §7) on the first add on
 * this device; src/app/persistence.ts remembers it in the queue's settings. Loaded on demand, as
 * most page loads add nothing, and checked once per page load; a check that failed (IndexedDB)
 * runs again on the next add.
 */
let persistence: Promise<void> | null = null;
export function requestPersistence(): Promise<void> {
  persistence ??= import('./persistence')
    .then(({ requestPersistence: request }) => request())
    .catch((error: unknown) => {
      persistence = null;
      throw error;
    });
  return persistence;
}

export function sentence(error: unknown, fallback: string): string {
  if (error instanceof DOMException && error.name === 'QuotaExceededError') {
    return 'This device is out of storage space for the backup queue. Free some space and add the rest again.';
  }
  return error instanceof Error && error.message !== '' ? error.message : fallback;
}
