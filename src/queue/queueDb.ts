import type { UploadOutcome } from '../shared/tus';
import { addFiles } from './adding';
import type { AddOptions } from './adding';
import * as bulk from './bulk';
import { PENDING_STATES, QUEUE_STATES } from './item';
import type {
  BlockedCause,
  DoneItem,
  FailedItem,
  ItemInState,
  PreparingItem,
  QueueItem,
  QueueState,
  QueuedItem,
  ReadyItem,
  SkippedItem,
  UploadSession,
  UploadingItem,
} from './item';
import type { PreparedFields } from './preparer';
import { openShoeboxDb } from './schema';
import type { OrderKey, QueueSettings, SettingKey } from './schema';
import { blobsOf, stateRange } from './keys';
import { QueueItemNotFoundError, QueueTransitionError } from './errors';
import { QueueStore } from './store';
import type { QueueDbOptions } from './store';
import * as to from './transitions';
import type { Failure } from './transitions';

/**
 * The backup queue in IndexedDB. Every transition is one transaction, so a crash or a closed tab
 * leaves each item in a state from which `drain()` resumes; every read the drain makes per item
 * goes through an index (schema.ts), so each step costs the same at 10 items and at 10,000.
 * Callers never touch cursors or stores. Every change is announced with the items it wrote.
 */
export class QueueDb extends QueueStore {
  static async open(options: QueueDbOptions = {}): Promise<QueueDb> {
    return new QueueDb(await openShoeboxDb(options), options);
  }

  /**
   * Stores each file and a `queued` item for it, in batches; a file the device has no room for
   * becomes a blocked item listed with the reason (adding.ts). Returns the items in file order.
   */
  addFiles(files: readonly File[], options: AddOptions = {}): Promise<QueueItem[]> {
    return addFiles(this, files, options);
  }

  /** Every item, oldest added first (the page's mirror, once when it opens). */
  list(): Promise<QueueItem[]> {
    return this.db.getAllFromIndex('items', 'by-addedAt');
  }

  /** Items in one state, in upload order. */
  listByState<S extends QueueState>(state: S): Promise<ItemInState<S>[]> {
    // The range only holds items whose `state` is S.
    return this.db.getAllFromIndex('items', 'by-order', stateRange(state)) as Promise<ItemInState<S>[]>;
  }

  /** Up to `count` ready items in upload order, after `after` (exclusive) or from the first. */
  readyAfter(after: OrderKey | null, count: number): Promise<ReadyItem[]> {
    const range = after === null ? stateRange('ready') : IDBKeyRange.bound(after, ['ready', []], true, false);
    return this.db.getAllFromIndex('items', 'by-order', range, count) as Promise<ReadyItem[]>;
  }

  get(id: string): Promise<QueueItem | undefined> {
    return this.db.get('items', id);
  }

  getBlob(key: string): Promise<Blob | undefined> {
    return this.db.get('blobs', key);
  }

  getSetting<K extends SettingKey>(key: K): Promise<QueueSettings[K] | undefined> {
    // idb types a store's values as the union over keys; the key decides which one it is here.
    return this.db.get('settings', key) as Promise<QueueSettings[K] | undefined>;
  }

  async setSetting<K extends SettingKey>(key: K, value: QueueSettings[K]): Promise<void> {
    await this.db.put('settings', value, key);
  }

  /** How many items are in each state: one index count each, no record read. */
  async counts(): Promise<Record<QueueState, number>> {
    const index = this.db.transaction('items').store.index('by-state');
    const counts = await Promise.all(QUEUE_STATES.map((state) => index.count(state)));
    return Object.fromEntries(QUEUE_STATES.map((state, at) => [state, counts[at] ?? 0])) as Record<
      QueueState,
      number
    >;
  }

  async pendingCount(): Promise<number> {
    const counts = await this.counts();
    return PENDING_STATES.reduce((sum, state) => sum + counts[state], 0);
  }

  /** When the first failed item is due again; null when none waits. */
  async nextAttemptAt(): Promise<number | null> {
    const cursor = await this.db.transaction('items').store.index('by-due').openKeyCursor();
    return cursor === null ? null : cursor.key;
  }

  /** Takes the first queued item in upload order and marks it preparing, in one transaction. */
  async claimNextQueued(): Promise<PreparingItem | null> {
    const tx = this.db.transaction('items', 'readwrite');
    const cursor = await tx.store.index('by-order').openCursor(stateRange('queued'));
    if (cursor === null) {
      await tx.done;
      return null;
    }
    const next = to.preparing(cursor.value as QueuedItem);
    await Promise.all([tx.store.put(next), tx.done]);
    this.announce([next]);
    return next;
  }

  markPreparing(id: string): Promise<PreparingItem> {
    return this.transition(id, ['queued'], to.preparing);
  }

  /** Prepared; Storage saver's copy and a video's poster frame are stored in the same transaction. */
  markReady(id: string, fields: PreparedFields): Promise<ReadyItem> {
    const { type, sourceSha256, sha256, capturedAt, uploadBlob, posterBlob, note } = fields;
    const put: [string, Blob][] = [];
    if (uploadBlob !== undefined) put.push([`${id}/upload`, uploadBlob]);
    if (posterBlob !== undefined) put.push([`${id}/poster`, posterBlob]);
    const prepared = {
      sourceSha256,
      sha256,
      capturedAt,
      copy: uploadBlob === undefined ? null : { key: `${id}/upload`, size: uploadBlob.size },
      posterKey: posterBlob === undefined ? null : `${id}/poster`,
      note: note ?? null,
    };
    return this.transition(id, ['preparing'], (item) => to.ready(item, type, prepared), { put });
  }

  markUploading(id: string): Promise<UploadingItem> {
    return this.transition(id, ['ready'], to.uploading);
  }

  /** Keeps the tus upload URL and the offset the server confirmed, so a later attempt resumes there. */
  setUploadProgress(id: string, upload: UploadSession): Promise<UploadingItem> {
    return this.transition(id, ['uploading'], (item) => to.progressed(item, upload));
  }

  /** The item is in the library; its blobs are deleted in the same transaction. */
  markDone(
    id: string,
    result: { assetId: string; outcome: UploadOutcome; note?: string | undefined },
  ): Promise<DoneItem> {
    return this.transition(id, ['ready', 'uploading'], (item) => to.done(item, result), { dropAll: true });
  }

  /**
   * Skipped with the reason; the file as picked stays for a retry, a copy or poster frame made
   * while preparing goes (a retry prepares again). `fileMissing`: the stored file is gone.
   */
  markSkipped(id: string, reason: string, options: { fileMissing?: boolean } = {}): Promise<SkippedItem> {
    if (options.fileMissing === true) {
      return this.transition(
        id,
        ['preparing', 'ready', 'uploading'],
        (item) => to.skippedWithoutFile(item, reason),
        {
          dropAll: true,
        },
      );
    }
    return this.transition(id, ['preparing', 'ready', 'uploading'], (item) => to.skipped(item, reason), {
      drop: [`${id}/upload`, `${id}/poster`],
    });
  }

  /** A retryable failure (transitions.failed: only failures without progress grow the backoff). */
  markFailed(id: string, failure: Failure): Promise<FailedItem> {
    return this.transition(id, ['ready', 'uploading'], (item) => to.failed(item, failure));
  }

  /** The user asked to try a failed, blocked or skipped item again, now. */
  async retry(id: string): Promise<QueueItem> {
    return this.transition(id, ['failed', 'blocked', 'skipped'], (item) => {
      const next = to.retried(item);
      // A file the device had no room for has nothing stored to retry: it is added again.
      if (next === null) throw new QueueTransitionError(id, item.state);
      return next;
    });
  }

  /** Failed items whose wait is over go back to their upload. */
  requeueDue(now: number = this.now()): Promise<ReadyItem[]> {
    return bulk.requeueDue(this, now);
  }

  /**
   * Items left in `preparing` or `uploading` by a crash, a closed tab or an abort go back to a
   * state the drain starts from; the tus URL and offset are kept so the upload resumes. Only call
   * this while holding the upload lock: then no other context is working on them.
   */
  resetStale(): Promise<QueueItem[]> {
    return bulk.resetStale(this);
  }

  /**
   * Items another account added wait, blocked, until that account is signed in here again; items
   * of `ownerId` blocked that way go back to work. Items without an owner belong to whoever drains.
   */
  assignToAccount(ownerId: string): Promise<QueueItem[]> {
    return bulk.assignToAccount(this, ownerId);
  }

  /** Blocks every item that still has work ahead (the session has expired). */
  blockPending(cause: 'signed-out' | 'other-account', reason: string): Promise<QueueItem[]> {
    return bulk.blockPending(this, cause, reason);
  }

  /** Unblocks the items blocked for `cause` once the user has dealt with it (signed in again). */
  unblock(cause: BlockedCause): Promise<QueueItem[]> {
    return bulk.unblock(this, cause);
  }

  /** Deletes an item and every blob it holds. */
  async remove(id: string): Promise<void> {
    const tx = this.db.transaction(['items', 'blobs'], 'readwrite');
    const item = await tx.objectStore('items').get(id);
    if (item === undefined) throw new QueueItemNotFoundError(id);
    await Promise.all([
      tx.objectStore('items').delete(id),
      tx.objectStore('blobs').delete(blobsOf(id)),
      tx.done,
    ]);
    this.announceRemoved([id]);
  }

  /** Removes the items that are done (their blobs are already gone). */
  async clearCompleted(): Promise<string[]> {
    const tx = this.db.transaction('items', 'readwrite');
    const ids = await tx.store.index('by-state').getAllKeys('done');
    await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
    this.announceRemoved(ids);
    return ids;
  }
}

export type { AddOptions, QueueDbOptions };
export { QueueItemNotFoundError, QueueTransitionError };
