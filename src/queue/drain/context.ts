import type { Limits } from '../../shared/limits';
import type { QueueNotice } from '../channel';
import type { ThroughputMeter } from '../chunkSize';
import type { FetchFn } from '../http';
import type { QueueItem } from '../item';
import type { Preparer } from '../preparer';
import { QueueItemNotFoundError, QueueTransitionError } from '../errors';
import type { QueueDb } from '../queueDb';
import type { QueueServer } from '../serverApi';
import type { BackupSettings, DeviceConditions, Hold } from '../settings';

/**
 * Why a drain ended:
 * - finished: nothing is due (failed items may be waiting for `nextAttemptAt`);
 * - offline: the device reports no connection; prepared items wait for the `online` event;
 * - held: a setting holds uploads back (backup off, Wi-Fi only, charging only);
 * - transient: the network or the server failed; the item is failed with a backoff;
 * - signed-out: the session is gone; pending items are blocked until sign-in;
 * - deadline: the time budget (a `sync` event's) is spent, or a new version waits to take over;
 * - aborted: the caller's signal.
 */
export type DrainStop = 'finished' | 'offline' | 'transient' | 'signed-out' | 'aborted' | 'held' | 'deadline';

export interface DrainOptions {
  queue: QueueDb;
  server: QueueServer;
  /** The app's origin, for the absolute tus endpoint (the page's or the service worker's `location.origin`). */
  origin: string;
  /**
   * Prepares each file (src/media): the page hands its worker pool, the service worker
   * `prepareFile`; the queue imports neither.
   */
  prepare: Preparer;
  /** Files prepared at once (a worker pool's size); 1 by default. */
  prepareConcurrency?: number;
  signal?: AbortSignal | undefined;
  fetch?: FetchFn | undefined;
  /** Defaults to `navigator.onLine`, and to true where there is no navigator. */
  isOnline?: () => boolean;
  /**
   * The network type and charging state for the Wi-Fi-only and charging-only settings; by default
   * navigator.connection and the power state a page last saved (workers have no Battery API).
   */
  device?: () => Promise<Omit<DeviceConditions, 'online'>>;
  /** Epoch ms after which no new upload starts (a `sync` event's time budget); the current one finishes. */
  stopStartingAt?: number;
  /** Asked before each upload: true ends the drain like the time budget (a new version waits to take over). */
  stopStarting?: () => boolean;
  /** Whether files are still being added (the page's add in batches), so the drain waits for them. */
  adding?: () => boolean;
  /** Resolves when the next batch of files is added (or adding ends). */
  nextAdded?: () => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Where the drain's running/stopped notices go; by default the queue's BroadcastChannel. */
  notify?: (notice: QueueNotice) => void;
  /** Each item as the drain moves it to a new state. */
  onItem?: (item: QueueItem) => void;
  onUploadProgress?: (id: string, bytesUploaded: number, bytesTotal: number) => void;
}

/** What every stage of one drain shares. */
export interface DrainContext {
  queue: QueueDb;
  server: QueueServer;
  prepare: Preparer;
  prepareConcurrency: number;
  endpoint: string;
  signal: AbortSignal | undefined;
  fetch: FetchFn | undefined;
  isOnline: () => boolean;
  device: () => Promise<Omit<DeviceConditions, 'online'>>;
  stopStartingAt: number;
  stopStarting: () => boolean;
  adding: () => boolean;
  nextAdded: () => Promise<void>;
  now: () => number;
  random: () => number;
  onItem: (item: QueueItem) => void;
  onUploadProgress: DrainOptions['onUploadProgress'];
  /** Read at the start and again before each upload (the user may change them mid-drain). */
  settings: BackupSettings;
  limits: Limits;
  /** The largest tus chunk the server takes (GET /api/config). */
  maxChunkBytes: number;
  /** The upload rate measured this drain, for each upload's chunk size. */
  throughput: ThroughputMeter;
  /** The signed-in user's id, once asked this drain. */
  accountId: string | null;
  /** Why the drain held uploads back, if a setting did. */
  hold: Hold | null;
}

export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof DOMException && error.name === 'AbortError');
}

/** The item was removed (or moved on by the user) while the drain worked on it: not an error. */
export function isVanished(error: unknown): boolean {
  return error instanceof QueueItemNotFoundError || error instanceof QueueTransitionError;
}

/**
 * Runs a transition and reports the item; null when the item vanished meanwhile. Other errors
 * (IndexedDB failing) propagate and end the drain.
 */
export async function step<T extends QueueItem>(
  ctx: DrainContext,
  transition: Promise<T>,
): Promise<T | null> {
  try {
    const item = await transition;
    ctx.onItem(item);
    return item;
  } catch (error) {
    if (isVanished(error)) return null;
    throw error;
  }
}

/** Reports every item a bulk transition changed. */
export function reportAll(ctx: DrainContext, items: readonly QueueItem[]): void {
  for (const item of items) ctx.onItem(item);
}
