/** The Background Sync tag of the upload queue (https://wicg.github.io/background-sync/spec/). */
export const SYNC_TAG = 'shoebox-upload';

/** The message a page posts to the service worker to ask it to drain. */
export interface DrainRequestMessage {
  type: 'DRAIN';
}

export function isDrainRequest(data: unknown): data is DrainRequestMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'DRAIN';
}

/** SyncManager is not in TypeScript's DOM or WebWorker libraries (it is Chromium-only). */
interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

/**
 * Asks the browser to wake the service worker with a `sync` event once it is online; false where
 * Background Sync does not exist (Firefox, Safari) and pages must drain by themselves.
 */
export async function registerBackgroundSync(registration: ServiceWorkerRegistration): Promise<boolean> {
  const sync = (registration as ServiceWorkerRegistration & { sync?: SyncManagerLike }).sync;
  if (sync === undefined) return false;
  await sync.register(SYNC_TAG);
  return true;
}
