import { mediaKindOf } from '../shared/limits';
import type { UploadOutcome } from '../shared/tus';

/** Where a tus upload stands: the upload URL and the offset the server last confirmed. */
export interface UploadSession {
  url: string;
  offset: number;
}

/** Who added an item: the signed-in account, whose library it goes to (DESIGN §5). */
export interface ItemOwner {
  id: string;
  email: string;
}

/** Why an item needs the user before it can continue. */
export type BlockedCause = 'signed-out' | 'storage' | 'other-account';

/** Photos (and files whose type is not known yet) upload before videos (DESIGN §4, Order). */
export type Rank = 0 | 1;

export function rankOf(type: string): Rank {
  return mediaKindOf(type) === 'video' ? 1 : 0;
}

/** What every item has, whatever its state. */
interface ItemBase {
  /** crypto.randomUUID() */
  id: string;
  /** The file's name as picked. */
  name: string;
  /** Bytes of the file as picked. */
  size: number;
  /** The sniffed MIME type once prepared; until then the browser's guess from the name (may be ''). */
  type: string;
  /** rankOf(type), stored so that an IndexedDB index sorts by upload order (schema.ts). */
  rank: Rank;
  /** Epoch ms when the file was added; strictly increasing within one add, so it keeps the pick order. */
  addedAt: number;
  /** File.lastModified (epoch ms) at pick time, or null: the capture date when EXIF has none. */
  lastModified: number | null;
  /** The account the item was added under; null for a share, which goes to whoever drains it. */
  owner: ItemOwner | null;
  /**
   * The album the photo goes into once backed up (a folder added as an album, issue 16), sent as
   * tus metadata; absent for most items, and on every record written before albums existed.
   */
  albumId?: string;
}

/** Storage saver's copy of a photo, uploaded instead of the original. */
export interface StoredCopy {
  /** Its key in the `blobs` store. */
  key: string;
  /** Its bytes: the tus upload's length. */
  size: number;
}

/** What preparing learnt about a file. */
export interface Prepared {
  /** SHA-256 (hex) of the file as picked: the photo's identity (DESIGN §5). */
  sourceSha256: string;
  /** SHA-256 (hex) of the bytes uploaded: Storage saver's copy, else equal to sourceSha256. */
  sha256: string;
  /** ISO 8601 capture time (EXIF, else the file's date), or null if neither is known. */
  capturedAt: string | null;
  copy: StoredCopy | null;
  /** Key of a video's poster frame the page took (src/media/poster.ts), sent once the asset exists. */
  posterKey: string | null;
  /** A remark for the user that is not a problem, e.g. "Kept the original: …". */
  note: string | null;
}

/** Stored, not yet prepared. */
interface Unprepared {
  /** Key of the file as picked in the `blobs` store. */
  blobKey: string;
}

/** Prepared, and on its way to the server. */
interface Prepped {
  blobKey: string;
  prepared: Prepared;
  /** The tus upload to resume, or null before the first upload request. */
  upload: UploadSession | null;
  /** Failures in a row without progress: what the backoff grows with (DESIGN §4, Retry). */
  attempts: number;
}

export interface QueuedItem extends ItemBase, Unprepared {
  state: 'queued';
}

export interface PreparingItem extends ItemBase, Unprepared {
  state: 'preparing';
}

export interface ReadyItem extends ItemBase, Prepped {
  state: 'ready';
}

export interface UploadingItem extends ItemBase, Prepped {
  state: 'uploading';
  /** The offset this attempt started from: a failure past it made progress and is not counted. */
  startOffset: number;
}

export interface FailedItem extends ItemBase, Prepped {
  state: 'failed';
  /** Epoch ms after which the drain tries again, from `upload` (or from the start when null). */
  nextAttemptAt: number;
  /** A sentence for the user: what went wrong last time. */
  error: string;
}

export interface DoneItem extends ItemBase {
  state: 'done';
  sourceSha256: string;
  sha256: string;
  capturedAt: string | null;
  /** The asset this item became on the server. */
  assetId: string;
  /** 'duplicate': the library already had it, so the existing asset was kept. */
  outcome: UploadOutcome;
  note: string | null;
}

export interface SkippedItem extends ItemBase {
  state: 'skipped';
  /** A sentence for the user: why this item will not be backed up. */
  reason: string;
  /** The file as picked, kept so the user can try again; null when it was missing. */
  blobKey: string | null;
}

/** Where a blocked item picks up again once the user has dealt with the cause. */
export type ResumePoint = ({ state: 'queued' } & Unprepared) | ({ state: 'ready' } & Prepped);

/** Waiting for the user to sign in (again, or as the account that added it). */
export interface WaitingItem extends ItemBase {
  state: 'blocked';
  cause: 'signed-out' | 'other-account';
  /** A sentence for the user: what they need to do. */
  reason: string;
  resume: ResumePoint;
}

/** A picked file the device had no room to store: listed so the user knows to add it again. */
export interface NotStoredItem extends ItemBase {
  state: 'blocked';
  cause: 'storage';
  reason: string;
}

export type BlockedItem = WaitingItem | NotStoredItem;

/** One picked file in the backup queue (DESIGN §4): each state carries only its own fields. */
export type QueueItem =
  QueuedItem | PreparingItem | ReadyItem | UploadingItem | DoneItem | SkippedItem | FailedItem | BlockedItem;

export type QueueState = QueueItem['state'];

export type ItemInState<S extends QueueState> = Extract<QueueItem, { state: S }>;

export const QUEUE_STATES = [
  'queued',
  'preparing',
  'ready',
  'uploading',
  'done',
  'skipped',
  'failed',
  'blocked',
] as const satisfies readonly QueueState[];

/** States in which an item still has work ahead of it without the user's help. */
export const PENDING_STATES = [
  'queued',
  'preparing',
  'ready',
  'uploading',
  'failed',
] as const satisfies readonly QueueState[];

export type PendingState = (typeof PENDING_STATES)[number];

export function isPending(item: QueueItem): item is ItemInState<PendingState> {
  return (PENDING_STATES as readonly QueueState[]).includes(item.state);
}

export function isNotStored(item: QueueItem): item is NotStoredItem {
  return item.state === 'blocked' && item.cause === 'storage';
}

/** The preparing results an item carries, wherever its state keeps them. */
export function preparedOf(item: QueueItem): Prepared | null {
  switch (item.state) {
    case 'ready':
    case 'uploading':
    case 'failed':
      return item.prepared;
    case 'blocked':
      return item.cause !== 'storage' && item.resume.state === 'ready' ? item.resume.prepared : null;
    default:
      return null;
  }
}

/** The identity hash of an item once known (prepared or done). */
export function sourceSha256Of(item: QueueItem): string | null {
  return item.state === 'done' ? item.sourceSha256 : (preparedOf(item)?.sourceSha256 ?? null);
}

/** The remark for the user that is not a problem ("Kept the original: …"), if any. */
export function noteOf(item: QueueItem): string | null {
  return item.state === 'done' ? item.note : (preparedOf(item)?.note ?? null);
}

/** Key of the stored file as picked, while the queue holds it. */
export function blobKeyOf(item: QueueItem): string | null {
  switch (item.state) {
    case 'done':
      return null;
    case 'blocked':
      return item.cause === 'storage' ? null : item.resume.blobKey;
    default:
      return item.blobKey;
  }
}

/** Bytes the upload sends: Storage saver's copy when there is one, else the file as picked. */
export function uploadLength(item: QueueItem): number {
  return preparedOf(item)?.copy?.size ?? item.size;
}

/** Bytes still to send for an item with work ahead; 0 for the others. */
export function bytesLeftOf(item: QueueItem): number {
  if (!isPending(item)) return 0;
  const sent = item.state === 'uploading' ? (item.upload?.offset ?? 0) : 0;
  return Math.max(0, uploadLength(item) - sent);
}
