import { CHECK_BATCH_MAX } from '../shared/api';
import { DEFAULT_LIMITS } from '../shared/limits';
import type { Limits } from '../shared/limits';
import { TUS_ENDPOINT } from '../shared/tus';
import type { UploadMetadata } from '../shared/tus';
import { retryDelay } from './backoff';
import { QueueNotifier } from './channel';
import type { QueueNotice } from './channel';
import { classifyRequestError, classifyUploadError } from './classify';
import type { UploadFailure } from './classify';
import type { QueueItem, QueuedItem, ReadyItem } from './item';
import type { FetchFn } from './http';
import { withUploadLock } from './lock';
import { uploadOrder } from './order';
import { prepareFile } from './prepare';
import type { Preparer } from './prepare';
import { QueueItemNotFoundError, QueueTransitionError } from './queueDb';
import type { QueueDb } from './queueDb';
import type { QueueServer } from './serverApi';
import { connectionType, deviceFrom, holdOf, withDefaults } from './settings';
import type { BackupSettings, DeviceConditions, Hold } from './settings';
import { uploadBlob } from './upload';

export const SIGNED_OUT_REASON = 'Sign in to continue backup';
export const MISSING_BLOB_REASON = 'The file is no longer stored on this device. Add it again.';

/**
 * Why a drain ended:
 * - finished: nothing is due (failed items may be waiting for `nextAttemptAt`);
 * - offline: the device reports no connection; prepared items wait for the `online` event;
 * - transient: the network or the server failed; the item is failed with a backoff;
 * - signed-out: the session is gone; pending items are blocked until sign-in;
 * - aborted: the caller's signal.
 */
export type DrainStop = 'finished' | 'offline' | 'transient' | 'signed-out' | 'aborted' | 'held' | 'deadline';

export interface DrainResult {
  stop: DrainStop;
  /** With stop 'held': which setting holds uploads back (backup off, Wi-Fi only, charging only). */
  hold?: Hold;
  /** Earliest time a failed item is due again, for the caller to schedule the next drain; null if none. */
  nextAttemptAt: number | null;
}

export interface DrainOptions {
  queue: QueueDb;
  server: QueueServer;
  /** The app's origin, for the absolute tus endpoint (the page's or the service worker's `location.origin`). */
  origin: string;
  signal?: AbortSignal | undefined;
  fetch?: FetchFn | undefined;
  /** Defaults to `navigator.onLine`, and to true where there is no navigator. */
  isOnline?: () => boolean;
  /**
   * The network type and charging state for the Wi-Fi-only and charging-only settings; by default
   * navigator.connection and the power state a page last saved (workers have no Battery API).
   */
  device?: () => Promise<Omit<DeviceConditions, 'online'>>;
  /** Defaults to the inline prepareFile (the service worker's); the page passes its worker pool. */
  prepare?: Preparer;
  /** Files prepared at once (a worker pool's size); 1 by default. */
  prepareConcurrency?: number;
  /** Epoch ms after which no new upload starts (a `sync` event's time budget); the current one finishes. */
  stopStartingAt?: number;
  /** Asked before each upload: true ends the drain like the time budget (a new version waits to take over). */
  stopStarting?: () => boolean;
  now?: () => number;
  random?: () => number;
  /** Where the drain's running/stopped notices go; by default the queue's BroadcastChannel. */
  notify?: (notice: QueueNotice) => void;
  /** Each item as the drain moves it to a new state. */
  onItem?: (item: QueueItem) => void;
  onUploadProgress?: (id: string, bytesUploaded: number, bytesTotal: number) => void;
}

interface DrainContext {
  queue: QueueDb;
  prepare: Preparer;
  prepareConcurrency: number;
  device: () => Promise<Omit<DeviceConditions, 'online'>>;
  stopStartingAt: number;
  stopStarting: () => boolean;
  settings: BackupSettings;
  /** The signed-in user's id, once asked this drain. */
  accountId: string | null;
  server: QueueServer;
  endpoint: string;
  signal: AbortSignal | undefined;
  fetch: DrainOptions['fetch'];
  isOnline: () => boolean;
  now: () => number;
  random: () => number;
  onItem: (item: QueueItem) => void;
  onUploadProgress: DrainOptions['onUploadProgress'];
}

function defaultIsOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof DOMException && error.name === 'AbortError');
}

/** The item was removed (or moved on by the user) while the drain worked on it: not an error. */
function isVanished(error: unknown): boolean {
  return error instanceof QueueItemNotFoundError || error instanceof QueueTransitionError;
}

/**
 * Runs a transition and reports the item; null when the item vanished meanwhile. Other errors
 * (IndexedDB failing) propagate and end the drain.
 */
async function step(ctx: DrainContext, transition: Promise<QueueItem>): Promise<QueueItem | null> {
  try {
    const item = await transition;
    ctx.onItem(item);
    return item;
  } catch (error) {
    if (isVanished(error)) return null;
    throw error;
  }
}

/**
 * Backs up everything due in the queue, one drainer at a time across tabs and the service worker
 * (Web Lock "shoebox-upload"): prepares queued files, asks the server which it already has, then
 * uploads the rest with tus in upload order. Runtime-neutral: no DOM, so the service worker can
 * run it too. Item outcomes are written to the queue; the result says why the drain stopped.
 */
export async function drain(options: DrainOptions): Promise<DrainResult> {
  const notifier = options.notify ? null : new QueueNotifier();
  const notify = options.notify ?? ((notice: QueueNotice) => notifier?.post(notice));
  const ctx: DrainContext = {
    queue: options.queue,
    prepare: options.prepare ?? prepareFile,
    prepareConcurrency: Math.max(1, options.prepareConcurrency ?? 1),
    device: options.device ?? (() => savedDevice(options.queue, options.now ?? Date.now)),
    stopStartingAt: options.stopStartingAt ?? Number.POSITIVE_INFINITY,
    stopStarting: options.stopStarting ?? (() => false),
    settings: withDefaults(undefined),
    accountId: null,
    server: options.server,
    endpoint: new URL(TUS_ENDPOINT, options.origin).href,
    signal: options.signal,
    fetch: options.fetch,
    isOnline: options.isOnline ?? defaultIsOnline,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    onItem: options.onItem ?? (() => undefined),
    onUploadProgress: options.onUploadProgress,
  };
  try {
    return await withUploadLock(async () => {
      notify({ type: 'drain', running: true });
      try {
        const stop = await drainLocked(ctx);
        const result: DrainResult = { stop, nextAttemptAt: await nextAttemptAt(ctx.queue) };
        if (stop === 'held') {
          const hold = await currentHold(ctx);
          if (hold !== null) result.hold = hold;
        }
        return result;
      } finally {
        notify({ type: 'drain', running: false });
      }
    }, options.signal);
  } catch (error) {
    // Aborted while waiting for the lock, or while working: a normal stop, not an error.
    if (isAbort(error, options.signal))
      return { stop: 'aborted', nextAttemptAt: await nextAttemptAt(ctx.queue) };
    throw error;
  } finally {
    notifier?.close();
  }
}

async function savedDevice(queue: QueueDb, now: () => number): Promise<Omit<DeviceConditions, 'online'>> {
  return deviceFrom(await queue.getSetting('device'), connectionType(), now());
}

/** Reads the settings again (the user may change them mid-drain) and says what holds uploads back. */
async function currentHold(ctx: DrainContext): Promise<Hold | null> {
  ctx.settings = withDefaults(await ctx.queue.getSetting('backup'));
  return holdOf(ctx.settings, { online: ctx.isOnline(), ...(await ctx.device()) });
}

async function nextAttemptAt(queue: QueueDb): Promise<number | null> {
  const failed = await queue.listByState('failed');
  return failed.length === 0 ? null : Math.min(...failed.map((item) => item.nextAttemptAt));
}

async function drainLocked(ctx: DrainContext): Promise<DrainStop> {
  // Holding the lock, nobody else is preparing or uploading: leftovers are from a crash.
  await ctx.queue.resetStale();
  const limits = await currentLimits(ctx);
  // Each ready item is checked against the library once per drain.
  const checked = new Set<string>();
  for (;;) {
    if (ctx.signal?.aborted === true) return 'aborted';
    const hold = await currentHold(ctx);
    // Backup off: nothing happens, not even preparing.
    if (hold === 'disabled') return 'held';
    await ctx.queue.requeueDue(ctx.now());
    if ((await prepareQueued(ctx, limits)) === 'aborted') return 'aborted';
    // Preparing needs no network; checking and uploading do.
    if (hold === 'offline') return 'offline';
    if (hold !== null) return 'held';
    const accountStop = await assignAccount(ctx);
    if (accountStop !== null) return accountStop;
    const checkStop = await checkReady(ctx, checked);
    if (checkStop !== null) return checkStop;
    const [next] = (await ctx.queue.listByState('ready')).sort(uploadOrder);
    if (next === undefined) return 'finished';
    if (ctx.now() >= ctx.stopStartingAt || ctx.stopStarting()) return 'deadline';
    const uploadStop = await uploadOne(ctx, next);
    if (uploadStop !== null) return uploadStop;
  }
}

/**
 * Asks the server who is signed in (once per drain) and blocks the items another account added:
 * the session cookie decides whose library an upload lands in, so they must wait for their owner.
 */
async function assignAccount(ctx: DrainContext): Promise<DrainStop | null> {
  if (ctx.accountId !== null) return null;
  try {
    ctx.accountId = (await ctx.server.me(ctx.signal)).id;
  } catch (error) {
    const failure = classifyRequestError(error, { aborted: isAbort(error, ctx.signal) });
    return failBatch(ctx, await ctx.queue.listByState('ready'), failure);
  }
  for (const id of await ctx.queue.assignToAccount(ctx.accountId)) {
    const item = await ctx.queue.get(id);
    if (item !== undefined) ctx.onItem(item);
  }
  return null;
}

/** The server's limits, remembered so files can be prepared offline; the defaults before the first answer. */
async function currentLimits(ctx: DrainContext): Promise<Limits> {
  try {
    const { limits } = await ctx.server.config(ctx.signal);
    await ctx.queue.setSetting('limits', limits);
    return limits;
  } catch (error) {
    if (isAbort(error, ctx.signal)) throw error;
    // Offline or the server is down: the last limits seen (the server checks them again anyway).
    return (await ctx.queue.getSetting('limits')) ?? DEFAULT_LIMITS;
  }
}

async function prepareQueued(ctx: DrainContext, limits: Limits): Promise<'aborted' | null> {
  const queued = (await ctx.queue.listByState('queued')).sort(uploadOrder);
  let aborted = false;
  // `prepareConcurrency` lanes take items in upload order, so a worker pool stays busy.
  const lane = async (): Promise<void> => {
    for (let item = queued.shift(); item !== undefined && !aborted; item = queued.shift()) {
      if (ctx.signal?.aborted === true || (await prepareOne(ctx, item, limits)) === 'aborted') aborted = true;
    }
  };
  await Promise.all(Array.from({ length: ctx.prepareConcurrency }, lane));
  if (!aborted) return null;
  await ctx.queue.resetStale();
  return 'aborted';
}

async function prepareOne(ctx: DrainContext, item: QueuedItem, limits: Limits): Promise<'aborted' | null> {
  const preparing = await step(ctx, ctx.queue.markPreparing(item.id));
  if (preparing === null) return null;
  const blob = await ctx.queue.getBlob(item.blobKey);
  if (blob === undefined) {
    await step(ctx, ctx.queue.markSkipped(item.id, MISSING_BLOB_REASON));
    return null;
  }
  try {
    const result = await ctx.prepare({
      blob,
      lastModified: item.lastModified,
      limits,
      quality: ctx.settings.quality,
      signal: ctx.signal,
    });
    await step(
      ctx,
      result.kind === 'ready'
        ? ctx.queue.markReady(item.id, result.fields)
        : ctx.queue.markSkipped(item.id, result.reason),
    );
  } catch (error) {
    if (isAbort(error, ctx.signal)) return 'aborted';
    // The browser could not read the stored file (NotReadableError and the like); retrying
    // the same bytes will not help, so the user sees why and can add the file again.
    const detail = error instanceof Error ? ` (${error.message})` : '';
    await step(
      ctx,
      ctx.queue.markSkipped(item.id, `Shoebox couldn't read this file${detail}. Add it again.`),
    );
  }
  return null;
}

/** Ready items the library already has become done without a byte sent (DESIGN §4). */
async function checkReady(ctx: DrainContext, checked: Set<string>): Promise<DrainStop | null> {
  const unchecked = (await ctx.queue.listByState('ready'))
    .filter((item) => !checked.has(item.id))
    .sort(uploadOrder);
  for (let start = 0; start < unchecked.length; start += CHECK_BATCH_MAX) {
    const batch = unchecked.slice(start, start + CHECK_BATCH_MAX);
    const hashes = [...new Set(batch.map((item) => item.sourceSha256))];
    let existing: Map<string, string>;
    try {
      const answer = await ctx.server.check(hashes, ctx.signal);
      existing = new Map(answer.existing.map((asset) => [asset.sourceSha256, asset.id]));
    } catch (error) {
      const failure = classifyRequestError(error, { aborted: isAbort(error, ctx.signal) });
      // The uploads themselves are deduplicated by the server, so a refused check only costs bytes.
      if (failure.kind === 'rejected' || failure.kind === 'restart' || failure.kind === 'retry') {
        batch.forEach((item) => checked.add(item.id));
        continue;
      }
      return failBatch(ctx, batch, failure);
    }
    for (const item of batch) {
      checked.add(item.id);
      const assetId = existing.get(item.sourceSha256);
      if (assetId !== undefined)
        await step(ctx, ctx.queue.markDone(item.id, { assetId, outcome: 'duplicate' }));
    }
  }
  return null;
}

/** A failure that is not one item's doing, for a whole batch: each item counts an attempt. */
async function failBatch(
  ctx: DrainContext,
  batch: readonly ReadyItem[],
  failure: UploadFailure,
): Promise<DrainStop> {
  switch (failure.kind) {
    case 'aborted':
      return 'aborted';
    case 'signed-out':
      await blockSignedOut(ctx);
      return 'signed-out';
    default: {
      const message = 'message' in failure ? failure.message : '';
      const retryAfterMs = failure.kind === 'transient' ? failure.retryAfterMs : null;
      if (batch.length === 0) return 'transient';
      for (const item of batch) {
        const nextAttemptAt = ctx.now() + retryDelay(item.attempts + 1, { random: ctx.random, retryAfterMs });
        await step(ctx, ctx.queue.markFailed(item.id, { error: message, nextAttemptAt }));
      }
      return 'transient';
    }
  }
}

async function blockSignedOut(ctx: DrainContext): Promise<void> {
  const ids = await ctx.queue.blockPending({ cause: 'signed-out', reason: SIGNED_OUT_REASON });
  for (const id of ids) {
    const item = await ctx.queue.get(id);
    if (item !== undefined) ctx.onItem(item);
  }
}

function metadataOf(item: ReadyItem): UploadMetadata {
  const metadata: UploadMetadata = {
    filename: item.name,
    type: item.type,
    sha256: item.sha256,
    sourceSha256: item.sourceSha256,
  };
  if (item.capturedAt !== null) metadata.capturedAt = item.capturedAt;
  return metadata;
}

/** Uploads one ready item; returns why the drain must stop, or null to go on with the next. */
async function uploadOne(ctx: DrainContext, item: ReadyItem): Promise<DrainStop | null> {
  // Storage saver's copy when there is one; its hash is the item's sha256.
  const blob = await ctx.queue.getBlob(item.uploadBlobKey ?? item.blobKey);
  if (blob === undefined) {
    await step(ctx, ctx.queue.markSkipped(item.id, MISSING_BLOB_REASON));
    return null;
  }
  if ((await step(ctx, ctx.queue.markUploading(item.id))) === null) return null;
  const result = await uploadBlob({
    blob,
    metadata: metadataOf(item),
    session: item.upload,
    endpoint: ctx.endpoint,
    // Not through step(): if the item was removed meanwhile, the failed write stops the upload.
    saveSession: async (session) => ctx.onItem(await ctx.queue.setUploadProgress(item.id, session)),
    onProgress: (sent, total) => ctx.onUploadProgress?.(item.id, sent, total),
    signal: ctx.signal,
    fetch: ctx.fetch,
  });
  switch (result.kind) {
    case 'aborted':
      // Back to ready with the upload URL and offset kept, so the next drain resumes.
      await ctx.queue.resetStale();
      return 'aborted';
    case 'uploaded':
      return finishUpload(ctx, item, result.assetId, result.outcome);
    case 'error': {
      if (isVanished(result.error)) return null;
      const failure = classifyUploadError(result.error, {
        aborted: isAbort(result.error, ctx.signal),
        now: ctx.now(),
      });
      return failUpload(ctx, item, failure);
    }
  }
}

async function finishUpload(
  ctx: DrainContext,
  item: ReadyItem,
  assetId: string | null,
  outcome: 'created' | 'duplicate' | null,
): Promise<DrainStop | null> {
  if (assetId !== null) {
    const note = await sendPoster(ctx, item, assetId, outcome ?? 'created');
    await step(ctx, ctx.queue.markDone(item.id, { assetId, outcome: outcome ?? 'created', note }));
    return null;
  }
  // The last answer had no asset id: tus found the upload already complete (a HEAD after a crash
  // between the final PATCH and its answer). The library knows which asset it became.
  try {
    const answer = await ctx.server.check([item.sourceSha256], ctx.signal);
    const found = answer.existing.find((asset) => asset.sourceSha256 === item.sourceSha256);
    if (found !== undefined) {
      const note = await sendPoster(ctx, item, found.id, outcome ?? 'created');
      await step(
        ctx,
        ctx.queue.markDone(item.id, { assetId: found.id, outcome: outcome ?? 'created', note }),
      );
      return null;
    }
    return failUpload(ctx, item, {
      kind: 'restart',
      message: 'The server did not confirm this upload. It will be sent again.',
    });
  } catch (error) {
    return failUpload(ctx, item, classifyRequestError(error, { aborted: isAbort(error, ctx.signal) }));
  }
}

/**
 * Sends the poster frame the page took of a video, now that its asset id is known, before the
 * item is done (which deletes the frame with the file). A poster is a nicety: the server shows its
 * video placeholder without one, so a failure never fails the item; it only leaves a note on it.
 * A duplicate already has the preview its first upload gave it. Answers the note, if any.
 */
async function sendPoster(
  ctx: DrainContext,
  item: ReadyItem,
  assetId: string,
  outcome: 'created' | 'duplicate',
): Promise<string | undefined> {
  const key = item.posterBlobKey ?? null;
  if (key === null || outcome !== 'created') return undefined;
  try {
    const poster = await ctx.queue.getBlob(key);
    if (poster === undefined) return undefined;
    await ctx.server.poster(assetId, poster, ctx.signal);
    return undefined;
  } catch (error) {
    if (isAbort(error, ctx.signal)) return undefined;
    const detail = error instanceof Error ? ` (${error.message})` : '';
    return `Backed up, but its preview frame could not be sent${detail}; the library shows a placeholder.`;
  }
}

async function failUpload(
  ctx: DrainContext,
  item: ReadyItem,
  failure: UploadFailure,
): Promise<DrainStop | null> {
  const nextAttemptAt = (retryAfterMs: number | null = null): number =>
    ctx.now() + retryDelay(item.attempts + 1, { random: ctx.random, retryAfterMs });
  switch (failure.kind) {
    case 'aborted':
      await ctx.queue.resetStale();
      return 'aborted';
    case 'signed-out':
      await blockSignedOut(ctx);
      return 'signed-out';
    case 'transient':
      await step(
        ctx,
        ctx.queue.markFailed(item.id, {
          error: failure.message,
          nextAttemptAt: nextAttemptAt(failure.retryAfterMs),
        }),
      );
      return 'transient';
    case 'restart':
      await step(
        ctx,
        ctx.queue.markFailed(item.id, {
          error: failure.message,
          nextAttemptAt: nextAttemptAt(),
          forgetUpload: true,
        }),
      );
      return null;
    case 'retry':
      await step(
        ctx,
        ctx.queue.markFailed(item.id, { error: failure.message, nextAttemptAt: nextAttemptAt() }),
      );
      return null;
    case 'rejected':
      await step(ctx, ctx.queue.markSkipped(item.id, failure.message));
      return null;
  }
}
