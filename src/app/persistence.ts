import { QueueDb } from '../queue/queueDb';
import type { PersistenceRequest } from '../queue/schema';

/** The part of the StorageManager (https://storage.spec.whatwg.org/#storagemanager) used here. */
export interface PersistableStorage {
  persisted(): Promise<boolean>;
  persist(): Promise<boolean>;
}

/** Where the request is remembered: the queue's `settings` store. */
export interface PersistenceSettings {
  getSetting(key: 'persistence'): Promise<PersistenceRequest | undefined>;
  setSetting(key: 'persistence', value: PersistenceRequest): Promise<void>;
}

/**
 * Asks the browser not to evict the queue under storage pressure (DESIGN §7), once per device:
 * on the first add, remembered in the queue's settings so that later adds and reloads do not ask
 * again (Firefox shows the user a prompt each time it is asked). A denial is the browser's answer,
 * not a fault: the queue works without persistence, so nothing is shown and it is not asked again.
 * Resolves to what was decided, or null when the browser has no `persist()` or it was asked before.
 */
export async function requestPersistenceOnce(
  settings: PersistenceSettings,
  storage: PersistableStorage | undefined,
  now: () => number = Date.now,
): Promise<PersistenceRequest | null> {
  if (storage === undefined || typeof storage.persist !== 'function') return null;
  if ((await settings.getSetting('persistence')) !== undefined) return null;
  let granted: boolean;
  try {
    granted = (await storage.persisted()) || (await storage.persist());
  } catch {
    // Some browsers reject instead of answering false (an opaque origin, a sandboxed frame):
    // an answer all the same, and the queue works on.
    granted = false;
  }
  const request: PersistenceRequest = { requestedAt: now(), granted };
  await settings.setSetting('persistence', request);
  return request;
}

/** `requestPersistenceOnce` for this page, on a connection of its own that it closes after. */
export async function requestPersistence(): Promise<void> {
  const storage = 'storage' in navigator ? navigator.storage : undefined;
  const db = await QueueDb.open();
  try {
    await requestPersistenceOnce(db, storage);
  } finally {
    db.close();
  }
}
