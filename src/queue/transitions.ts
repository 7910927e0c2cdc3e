/**
 * The queue's state machine (DESIGN §4) as pure functions, each typed from the state(s) it
 * leaves to the state it makes: `ready(preparingItem, …)` compiles, `ready(doneItem, …)` does
 * not. QueueDb runs each one inside one IndexedDB transaction.
 */
import type { UploadOutcome } from '../shared/tus';
import type {
  BlockedItem,
  DoneItem,
  FailedItem,
  ItemOwner,
  NotStoredItem,
  Prepared,
  PreparingItem,
  QueueItem,
  QueuedItem,
  ReadyItem,
  ResumePoint,
  SkippedItem,
  UploadSession,
  UploadingItem,
  WaitingItem,
} from './item';
import { rankOf } from './item';

type Base = Omit<QueuedItem, 'state' | 'blobKey'>;

/** The fields every state shares, without the previous state's own. */
function base(item: QueueItem): Base {
  const { id, name, size, type, rank, addedAt, lastModified, owner, albumId } = item;
  const kept = { id, name, size, type, rank, addedAt, lastModified, owner };
  return albumId === undefined ? kept : { ...kept, albumId };
}

/** A picked file, stored under `${id}/original`. */
export function queued(
  file: { name: string; size: number; type: string; lastModified: number },
  ids: {
    id: string;
    addedAt: number;
    owner: ItemOwner | null;
    albumId?: string | null | undefined;
  },
): QueuedItem {
  const item: QueuedItem = {
    id: ids.id,
    state: 'queued',
    name: file.name,
    size: file.size,
    type: file.type,
    rank: rankOf(file.type),
    addedAt: ids.addedAt,
    lastModified: Number.isFinite(file.lastModified) && file.lastModified > 0 ? file.lastModified : null,
    owner: ids.owner,
    blobKey: `${ids.id}/original`,
  };
  const albumId = ids.albumId ?? null;
  return albumId === null ? item : { ...item, albumId };
}

/** A file the device had no room for. */
export function notStored(item: QueuedItem, reason: string): NotStoredItem {
  return { ...base(item), state: 'blocked', cause: 'storage', reason };
}

export function preparing(item: QueuedItem): PreparingItem {
  return { ...base(item), state: 'preparing', blobKey: item.blobKey };
}

export function ready(item: PreparingItem, type: string, prepared: Prepared): ReadyItem {
  return {
    ...base(item),
    type,
    rank: rankOf(type),
    state: 'ready',
    blobKey: item.blobKey,
    prepared,
    upload: null,
    attempts: 0,
  };
}

export function uploading(item: ReadyItem): UploadingItem {
  return { ...item, state: 'uploading', startOffset: item.upload?.offset ?? 0 };
}

export function progressed(item: UploadingItem, upload: UploadSession): UploadingItem {
  return { ...item, upload };
}

export function done(
  item: ReadyItem | UploadingItem,
  result: { assetId: string; outcome: UploadOutcome; note?: string | undefined },
): DoneItem {
  const { sourceSha256, sha256, capturedAt, note } = item.prepared;
  return {
    ...base(item),
    state: 'done',
    sourceSha256,
    sha256,
    capturedAt,
    assetId: result.assetId,
    outcome: result.outcome,
    note: result.note ?? note,
  };
}

/** The file is kept so the user can retry; Storage saver's copy and a poster go (QueueDb deletes them). */
export function skipped(item: PreparingItem | ReadyItem | UploadingItem, reason: string): SkippedItem {
  return { ...base(item), state: 'skipped', reason, blobKey: item.blobKey };
}

/** A skipped item whose stored file is gone (or was never readable). */
export function skippedWithoutFile(
  item: PreparingItem | ReadyItem | UploadingItem,
  reason: string,
): SkippedItem {
  return { ...base(item), state: 'skipped', reason, blobKey: null };
}

export interface Failure {
  error: string;
  /** Milliseconds to wait after `attempts` failures without progress (backoff.ts). */
  delay: (attempts: number) => number;
  now: number;
  /** The upload on the server is gone or held bad bytes: start a new one next time. */
  forgetUpload?: boolean;
}

/**
 * A retryable failure. Only failures without progress count: an upload that moved past where
 * this attempt started resets the count, so a large file on a flaky link retries soon after each
 * chunk it got through instead of waiting longer and longer (issue 19).
 */
export function failed(item: ReadyItem | UploadingItem, failure: Failure): FailedItem {
  const progress = item.state === 'uploading' && (item.upload?.offset ?? 0) > item.startOffset;
  const attempts = progress ? 1 : item.attempts + 1;
  const { blobKey, prepared, upload } = item;
  return {
    ...base(item),
    state: 'failed',
    blobKey,
    prepared,
    upload: failure.forgetUpload === true ? null : upload,
    attempts,
    nextAttemptAt: failure.now + failure.delay(attempts),
    error: failure.error,
  };
}

/** A failed item whose wait is over, back where it resumes: its upload, from the offset kept. */
export function requeued(item: FailedItem): ReadyItem {
  const { blobKey, prepared, upload, attempts } = item;
  return { ...base(item), state: 'ready', blobKey, prepared, upload, attempts };
}

/** Preparing or uploading work a crash, a closed tab or an abort interrupted, back to its start. */
export function rewound(item: PreparingItem | UploadingItem): QueuedItem | ReadyItem {
  if (item.state === 'preparing') return { ...base(item), state: 'queued', blobKey: item.blobKey };
  const { blobKey, prepared, upload, attempts } = item;
  return { ...base(item), state: 'ready', blobKey, prepared, upload, attempts };
}

type Blockable = QueuedItem | PreparingItem | ReadyItem | UploadingItem | FailedItem;

function resumePoint(item: Blockable): ResumePoint {
  if (item.state === 'queued' || item.state === 'preparing')
    return { state: 'queued', blobKey: item.blobKey };
  const { blobKey, prepared, upload, attempts } = item;
  return { state: 'ready', blobKey, prepared, upload, attempts };
}

export function blocked(item: Blockable, cause: WaitingItem['cause'], reason: string): WaitingItem {
  return { ...base(item), state: 'blocked', cause, reason, resume: resumePoint(item) };
}

/** The user dealt with what blocked it: back where it stopped. */
export function unblocked(item: WaitingItem): QueuedItem | ReadyItem {
  const { resume } = item;
  return resume.state === 'queued'
    ? { ...base(item), state: 'queued', blobKey: resume.blobKey }
    : { ...base(item), ...resume };
}

/**
 * The user asked to try again now: a failed item resumes its upload at once, a blocked one where
 * it stopped, and a skipped one is prepared again (its type or the server's limits may be what
 * changed). An item the device had no room for has nothing to retry: it must be added again.
 */
export function retried(item: FailedItem | BlockedItem | SkippedItem): QueuedItem | ReadyItem | null {
  switch (item.state) {
    case 'failed':
      return { ...requeued(item), attempts: 0 };
    case 'skipped':
      return item.blobKey === null ? null : { ...base(item), state: 'queued', blobKey: item.blobKey };
    case 'blocked':
      return item.cause === 'storage' ? null : unblocked(item);
  }
}
