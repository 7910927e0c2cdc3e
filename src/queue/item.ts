import type { UploadOutcome } from '../shared/tus';

/** Where a tus upload stands: the upload URL and the offset the server last confirmed. */
export interface UploadSession {
  url: string;
  offset: number;
}

/** Why an item needs the user before it can continue. */
export type BlockedCause = 'signed-out' | 'storage' | 'other-account';

interface ItemBase {
  /** crypto.randomUUID() */
  id: string;
  /** The file's name as picked. */
  name: string;
  /** Bytes of the file as picked. */
  size: number;
  /** The sniffed MIME type once prepared; until then the browser's guess from the name (may be ''). */
  type: string;
  /** Epoch ms when the file was added; strictly increasing within one add, so it keeps the pick order. */
  addedAt: number;
  /** File.lastModified (epoch ms) at pick time, or null: the capture date when EXIF has none. */
  lastModified: number | null;
  /** SHA-256 (hex) of the file as picked; the photo's identity (DESIGN §5). */
  sourceSha256: string | null;
  /** SHA-256 (hex) of the bytes to upload; equals sourceSha256 until Storage saver compresses. */
  sha256: string | null;
  /** ISO 8601 capture time (EXIF, else the file's date), or null if neither is known. */
  capturedAt: string | null;
  /** Failed attempts so far. */
  attempts: number;
  /** The tus upload to resume, or null before the first upload request. */
  upload: UploadSession | null;
  /** Key of the original in the `blobs` store; null once the blob is deleted (done). */
  blobKey: string | null;
  /**
   * Key of the copy to upload instead of the original (Storage saver's compressed photo), or
   * null/absent when the original is uploaded. Deleted with the original.
   */
  uploadBlobKey?: string | null;
  /** Bytes of that copy (the tus upload's length), or null/absent when the original is uploaded. */
  uploadSize?: number | null;
  /**
   * Key of a video's poster frame taken by the page while preparing (src/media/poster.ts), sent
   * once the upload has an asset id; null/absent when there is none (photos, a video the browser
   * could not decode, or one the service worker prepared: it has no <video>). Deleted with the original.
   */
  posterBlobKey?: string | null;
  /** A remark for the user that is not a problem, e.g. "Kept the original: …". */
  note?: string | null;
  /**
   * The account the item was added under (user id), and its email for "Sign in as …". Absent
   * on items queued before accounts were recorded: those belong to whoever drains them.
   */
  ownerId?: string | null;
  ownerEmail?: string | null;
}

export interface QueuedItem extends ItemBase {
  state: 'queued';
  blobKey: string;
}

export interface PreparingItem extends ItemBase {
  state: 'preparing';
  blobKey: string;
}

export interface ReadyItem extends ItemBase {
  state: 'ready';
  sourceSha256: string;
  sha256: string;
  blobKey: string;
}

export interface UploadingItem extends ItemBase {
  state: 'uploading';
  sourceSha256: string;
  sha256: string;
  blobKey: string;
}

export interface DoneItem extends ItemBase {
  state: 'done';
  sourceSha256: string;
  sha256: string;
  /** The asset this item became on the server. */
  assetId: string;
  /** 'duplicate': the library already had it, so the existing asset was kept. */
  outcome: UploadOutcome;
  upload: null;
  blobKey: null;
}

export interface SkippedItem extends ItemBase {
  state: 'skipped';
  /** A sentence for the user: why this item will not be backed up. */
  reason: string;
}

export interface FailedItem extends ItemBase {
  state: 'failed';
  /** Epoch ms after which the drain tries again. */
  nextAttemptAt: number;
  /** A sentence for the user: what went wrong last time. */
  error: string;
}

export interface BlockedItem extends ItemBase {
  state: 'blocked';
  cause: BlockedCause;
  /** A sentence for the user: what they need to do. */
  reason: string;
}

/** One picked file in the backup queue (DESIGN §4). */
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

export function isPending(item: QueueItem): boolean {
  return (PENDING_STATES as readonly QueueState[]).includes(item.state);
}

/** Bytes the upload sends: Storage saver's copy when there is one, else the file as picked. */
export function uploadLength(item: QueueItem): number {
  return item.uploadSize ?? item.size;
}

/** The hashes, once an item has been prepared. */
export function preparedHashes(item: QueueItem): { sourceSha256: string; sha256: string } | null {
  return item.sourceSha256 !== null && item.sha256 !== null
    ? { sourceSha256: item.sourceSha256, sha256: item.sha256 }
    : null;
}
