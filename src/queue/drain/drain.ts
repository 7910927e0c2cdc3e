import { CHECK_BATCH_MAX } from '../../shared/api';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { TUS_ENDPOINT } from '../../shared/tus';
import { QueueNotifier } from '../channel';
import { MIN_CHUNK_BYTES, ThroughputMeter } from '../chunkSize';
import type { QueueNotice } from '../channel';
import { uploadLength } from '../item';
import type { PreparingItem, ReadyItem } from '../item';
import { withUploadLock } from '../lock';
import { uploadOrder } from '../order';
import { orderKey } from '../keys';
import type { OrderKey } from '../schema';
import { withDefaults } from '../settings';
import type { Hold } from '../settings';
import { assignAccount } from './account';
import { checkBatch } from './checkStage';
import { currentConfig, currentHold, savedDevice } from './conditions';
import { isAbort, reportAll } from './context';
import type { DrainContext, DrainOptions, DrainStop } from './context';
import { runPipeline } from './pipeline';
import type { PipelinePorts } from './pipeline';
import { prepareOne } from './prepareStage';
import { uploadOne } from './uploadStage';

export interface DrainResult {
  stop: DrainStop;
  /** With stop 'held': which setting holds uploads back (backup off, Wi-Fi only, charging only). */
  hold?: Hold;
  /** Earliest time a failed item is due again, for the caller to schedule the next drain; null if none. */
  nextAttemptAt: number | null;
}

/**
 * Photos sent in one request (creation-with-upload) are small: up to this many go up at once,
 * beside whatever the first lane is sending, because one photo alone leaves the link idle while
 * it waits for each answer (issue 13, `bench photos`).
 */
export const UPLOAD_LANES = 3;
export const SMALL_UPLOAD_BYTES = 8 * 1024 * 1024;

function defaultIsOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine;
}

function contextOf(options: DrainOptions): DrainContext {
  const now = options.now ?? Date.now;
  return {
    queue: options.queue,
    server: options.server,
    prepare: options.prepare,
    prepareConcurrency: Math.max(1, options.prepareConcurrency ?? 1),
    endpoint: new URL(TUS_ENDPOINT, options.origin).href,
    signal: options.signal,
    fetch: options.fetch,
    isOnline: options.isOnline ?? defaultIsOnline,
    device: options.device ?? (() => savedDevice(options.queue, now)),
    stopStartingAt: options.stopStartingAt ?? Number.POSITIVE_INFINITY,
    stopStarting: options.stopStarting ?? (() => false),
    adding: options.adding ?? (() => false),
    nextAdded: options.nextAdded ?? (() => Promise.resolve()),
    now,
    random: options.random ?? Math.random,
    onItem: options.onItem ?? (() => undefined),
    onUploadProgress: options.onUploadProgress,
    settings: withDefaults(undefined),
    limits: DEFAULT_LIMITS,
    maxChunkBytes: MIN_CHUNK_BYTES,
    throughput: new ThroughputMeter(),
    accountId: null,
    hold: null,
  };
}

/** A hold as the drain's stop: offline has its own, the settings' are 'held'. */
function heldBy(ctx: DrainContext, hold: Hold): DrainStop {
  ctx.hold = hold;
  return hold === 'offline' ? 'offline' : 'held';
}

/** The pipeline's stages, bound to this drain's queue, server and preparer. */
function stagesOf(ctx: DrainContext): PipelinePorts<PreparingItem, ReadyItem, DrainStop> {
  let lastReady: OrderKey | null = null;
  return {
    claimNext: () => ctx.queue.claimNextQueued(),
    moreComing: ctx.adding,
    nextAdded: ctx.nextAdded,
    prepare: (item) => prepareOne(ctx, item),
    async readyPage(count) {
      const page = await ctx.queue.readyAfter(lastReady, count);
      const last = page.at(-1);
      if (last !== undefined) lastReady = orderKey(last);
      return page;
    },
    check: (items) => checkBatch(ctx, items),
    async beforeUpload() {
      if (ctx.signal?.aborted === true) return 'aborted';
      if (ctx.now() >= ctx.stopStartingAt || ctx.stopStarting()) return 'deadline';
      const hold = await currentHold(ctx);
      return hold === null ? null : heldBy(ctx, hold);
    },
    upload: (item) => uploadOne(ctx, item),
    order: uploadOrder,
    isSmall: (item) => uploadLength(item) <= SMALL_UPLOAD_BYTES,
  };
}

async function drainLocked(ctx: DrainContext): Promise<DrainStop> {
  // Holding the lock, nobody else is preparing or uploading: leftovers are from a crash.
  reportAll(ctx, await ctx.queue.resetStale());
  try {
    ({ limits: ctx.limits, maxChunkBytes: ctx.maxChunkBytes } = await currentConfig(ctx));
    const hold = await currentHold(ctx);
    // Backup off: nothing happens, not even preparing.
    if (hold === 'disabled') return heldBy(ctx, hold);
    reportAll(ctx, await ctx.queue.requeueDue(ctx.now()));
    const accountStop = hold === null ? await assignAccount(ctx) : null;
    const stages = stagesOf(ctx);
    const prepareLanes = ctx.prepareConcurrency;
    const options = {
      prepareLanes,
      uploadLanes: UPLOAD_LANES,
      lookahead: Math.max(4, 2 * (prepareLanes + UPLOAD_LANES)),
      checkBatch: CHECK_BATCH_MAX,
      uploads: hold === null && accountStop === null,
    };
    // Preparing needs no network: while uploads are held, everything queued is prepared.
    const stop = accountStop ?? (await runPipeline(stages, options));
    if (stop === null) return hold === null ? 'finished' : heldBy(ctx, hold);
    const canPrepare = stop === 'offline' || stop === 'held' || stop === 'transient';
    if (canPrepare && ctx.hold !== 'disabled') await runPipeline(stages, { ...options, uploads: false });
    return stop;
  } finally {
    // Work an abort or a stop left midway goes back to where the next drain starts.
    reportAll(ctx, await ctx.queue.resetStale());
  }
}

/**
 * Backs up everything due in the queue, one drainer at a time across tabs and the service worker
 * (Web Lock "shoebox-upload"): prepares queued files, asks the server which it already has and
 * uploads the rest with tus in upload order, all three at once (pipeline.ts). Runtime-neutral: no
 * DOM, so the service worker runs it too. Item outcomes are written to the queue; the result says
 * why the drain stopped.
 */
export async function drain(options: DrainOptions): Promise<DrainResult> {
  const notifier = options.notify ? null : new QueueNotifier();
  const notify = options.notify ?? ((notice: QueueNotice) => notifier?.post(notice));
  const ctx = contextOf(options);
  const result = async (stop: DrainStop): Promise<DrainResult> => {
    const answer: DrainResult = { stop, nextAttemptAt: await ctx.queue.nextAttemptAt() };
    if (ctx.hold !== null && stop === 'held') answer.hold = ctx.hold;
    return answer;
  };
  try {
    return await withUploadLock(async () => {
      notify({ type: 'drain', running: true });
      try {
        return await result(await drainLocked(ctx));
      } finally {
        notify({ type: 'drain', running: false });
      }
    }, options.signal);
  } catch (error) {
    // Aborted while waiting for the lock, or while working: a normal stop, not an error.
    if (isAbort(error, options.signal)) return result('aborted');
    throw error;
  } finally {
    notifier?.close();
  }
}

export type { DrainOptions, DrainStop };
