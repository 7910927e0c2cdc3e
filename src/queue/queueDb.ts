import type { UploadOutcome } from '../shared/tus';
import { QueueNotifier } from './channel';
import type { QueueNotice } from './channel';
import { preparedHashes } from './item';
import type { BlockedCause, ItemInState, QueueItem, QueueState, QueuedItem, UploadSession } from './item';
import { openShoeboxDb } from './schema';
import type { OpenOptions, QueueSettings, SettingKey, ShoeboxDatabase } from './schema';

/** A transition named an item that is not in the queue (removed meanwhile, or a bug). */
export class QueueItemNotFoundError extends Error {
  override readonly name = 'QueueItemNotFoundError';
  constructor(readonly id: string) {
    super(`Queue item ${id} does not exist.`);
  }
}

/** A transition was asked of an item in a state it cannot leave that way. */
export class QueueTransitionError extends Error {
  override readonly name = 'QueueTransitionError';
  constructor(
    readonly id: string,
    readonly from: QueueState,
    readonly to: QueueState,
  ) {
    super(`Queue item ${id} cannot go from ${from} to ${to}.`);
  }
}

/** Items written per transaction by addFiles: big enough to be quick, small enough to keep the page responsive. */
export const ADD_BATCH_SIZE = 50;

export interface PreparedFields {
  type: string;
  sourceSha256: string;
  sha256: string;
  capturedAt: string | null;
  /** The copy to upload instead of the original (Storage saver); `sha256` is its hash. */
  uploadBlob?: Blob | undefined;
  /** A remark shown on the item, e.g. "Kept the original: …". */
  note?: string | undefined;
  /** A video's poster frame, taken by the page (src/media/poster.ts), to send after the upload. */
  posterBlob?: Blob | undefined;
}

/** Who is adding files: the signed-in account, recorded on each item (DESIGN §5: items have an owner). */
export interface ItemOwner {
  id: string;
  email: string;
}

export interface AddOptions {
  onProgress?: (added: number, total: number) => void;
  owner?: ItemOwner | null;
}

/** The sentence of an item the device had no room to store. */
export const OUT_OF_STORAGE_REASON =
  'This device ran out of storage space for this file. Free some space, remove this item and add the file again.';

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

export interface QueueDbOptions extends OpenOptions {
  /** Where change notices go; by default the BroadcastChannel 'shoebox-queue'. */
  notify?: (notice: QueueNotice) => void;
  now?: () => number;
}

/** Keeps only the fields every state shares, dropping the previous state's extras (reason, error…). */
function base(item: QueueItem): Omit<QueueItem, 'state'> {
  return {
    id: item.id,
    name: item.name,
    size: item.size,
    type: item.type,
    addedAt: item.addedAt,
    lastModified: item.lastModified,
    sourceSha256: item.sourceSha256,
    sha256: item.sha256,
    capturedAt: item.capturedAt,
    attempts: item.attempts,
    upload: item.upload,
    blobKey: item.blobKey,
    uploadBlobKey: item.uploadBlobKey ?? null,
    uploadSize: item.uploadSize ?? null,
    posterBlobKey: item.posterBlobKey ?? null,
    note: item.note ?? null,
    ownerId: item.ownerId ?? null,
    ownerEmail: item.ownerEmail ?? null,
  };
}

/** The keys of every blob an item holds (original, upload copy and poster frame). */
function blobKeysOf(item: QueueItem): string[] {
  return [item.blobKey, item.uploadBlobKey ?? null, item.posterBlobKey ?? null].filter(
    (key): key is string => key !== null,
  );
}

/** Back to the first state that redoes the missing work: ready if prepared, else queued. */
function rewind(item: QueueItem): QueueItem {
  const { blobKey } = item;
  if (blobKey === null) throw new Error(`Queue item ${item.id} has no file to retry.`);
  const hashes = preparedHashes(item);
  return hashes === null
    ? { ...base(item), state: 'queued', blobKey, sourceSha256: null, sha256: null }
    : { ...base(item), ...hashes, state: 'ready', blobKey };
}

function inStates<S extends QueueState>(item: QueueItem, states: readonly S[]): item is ItemInState<S> {
  return (states as readonly QueueState[]).includes(item.state);
}

/**
 * The backup queue in IndexedDB. Every transition is one transaction, so a crash or a closed tab
 * leaves each item in a state from which `drain()` resumes. Callers never touch cursors or stores.
 */
export class QueueDb {
  private readonly notify: (notice: QueueNotice) => void;
  private readonly now: () => number;
  private lastAddedAt = 0;

  constructor(
    readonly db: ShoeboxDatabase,
    options: Pick<QueueDbOptions, 'notify' | 'now'> = {},
  ) {
    if (options.notify) {
      this.notify = options.notify;
    } else {
      const notifier = new QueueNotifier();
      this.notify = (notice) => notifier.post(notice);
    }
    this.now = options.now ?? Date.now;
  }

  static async open(options: QueueDbOptions = {}): Promise<QueueDb> {
    return new QueueDb(await openShoeboxDb(options), options);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Stores each file and a `queued` item for it, `ADD_BATCH_SIZE` per transaction. When the
   * device runs out of storage (QuotaExceededError) the batch is retried file by file, and a file
   * that does not fit becomes a `blocked` item without a blob, so the user sees which ones are
   * missing; items already queued are never touched. Other errors are thrown, earlier batches kept.
   */
  async addFiles(
    files: readonly File[],
    options: AddOptions | ((added: number, total: number) => void) = {},
  ): Promise<QueueItem[]> {
    const { onProgress, owner = null } = typeof options === 'function' ? { onProgress: options } : options;
    const added: QueueItem[] = [];
    for (let start = 0; start < files.length; start += ADD_BATCH_SIZE) {
      const batch = files.slice(start, start + ADD_BATCH_SIZE).map((file) => this.newItem(file, owner));
      try {
        await this.putNew(batch);
        added.push(...batch.map(({ item }) => item));
      } catch (error) {
        if (!isQuotaError(error)) throw error;
        for (const entry of batch) added.push(await this.putOneOrBlock(entry));
      }
      this.notify({ type: 'changed', ids: batch.map(({ item }) => item.id) });
      onProgress?.(added.length, files.length);
    }
    return added;
  }

  private async putNew(batch: readonly { item: QueuedItem; file: File }[]): Promise<void> {
    const tx = this.db.transaction(['items', 'blobs'], 'readwrite');
    const writes: Promise<unknown>[] = [];
    for (const { item, file } of batch) {
      writes.push(tx.objectStore('blobs').put(file, item.blobKey));
      writes.push(tx.objectStore('items').put(item));
    }
    await Promise.all([...writes, tx.done]);
  }

  private async putOneOrBlock(entry: { item: QueuedItem; file: File }): Promise<QueueItem> {
    try {
      await this.putNew([entry]);
      return entry.item;
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      // The record alone is a few hundred bytes; if even that does not fit, the error is thrown.
      const blocked: QueueItem = {
        ...base(entry.item),
        blobKey: null,
        state: 'blocked',
        cause: 'storage',
        reason: OUT_OF_STORAGE_REASON,
      };
      await this.db.put('items', blocked);
      return blocked;
    }
  }

  private newItem(file: File, owner: ItemOwner | null): { item: QueuedItem; file: File } {
    // Strictly increasing, so items added in one go keep the order they were picked in.
    const addedAt = Math.max(this.now(), this.lastAddedAt + 1);
    this.lastAddedAt = addedAt;
    const id = crypto.randomUUID();
    return {
      file,
      item: {
        id,
        state: 'queued',
        name: file.name,
        size: file.size,
        type: file.type,
        addedAt,
        lastModified: Number.isFinite(file.lastModified) && file.lastModified > 0 ? file.lastModified : null,
        sourceSha256: null,
        sha256: null,
        capturedAt: null,
        attempts: 0,
        upload: null,
        blobKey: `${id}/original`,
        uploadBlobKey: null,
        note: null,
        ownerId: owner?.id ?? null,
        ownerEmail: owner?.email ?? null,
      },
    };
  }

  /** Every item, oldest added first. */
  list(): Promise<QueueItem[]> {
    return this.db.getAllFromIndex('items', 'by-addedAt');
  }

  listByState<S extends QueueState>(state: S): Promise<ItemInState<S>[]> {
    // The by-state index only yields items whose `state` is S.
    return this.db.getAllFromIndex('items', 'by-state', state) as Promise<ItemInState<S>[]>;
  }

  get(id: string): Promise<QueueItem | undefined> {
    return this.db.get('items', id);
  }

  async getBlob(key: string): Promise<Blob | undefined> {
    return this.db.get('blobs', key);
  }

  getSetting<K extends SettingKey>(key: K): Promise<QueueSettings[K] | undefined> {
    // idb types a store's values as the union over keys; the key decides which one it is here.
    return this.db.get('settings', key) as Promise<QueueSettings[K] | undefined>;
  }

  async setSetting<K extends SettingKey>(key: K, value: QueueSettings[K]): Promise<void> {
    await this.db.put('settings', value, key);
  }

  markPreparing(id: string): Promise<QueueItem> {
    return this.transition(id, ['queued'], 'preparing', (item) => ({
      ...base(item),
      state: 'preparing',
      blobKey: item.blobKey,
    }));
  }

  /**
   * Prepared: the hashes and type are known; Storage saver's copy and a video's poster frame are
   * stored beside the original, in the same transaction.
   */
  markReady(id: string, prepared: PreparedFields): Promise<QueueItem> {
    const { uploadBlob, posterBlob, note, ...fields } = prepared;
    const uploadBlobKey = uploadBlob === undefined ? null : `${id}/upload`;
    const posterBlobKey = posterBlob === undefined ? null : `${id}/poster`;
    const putBlobs: [string, Blob][] = [];
    if (uploadBlob !== undefined && uploadBlobKey !== null) putBlobs.push([uploadBlobKey, uploadBlob]);
    if (posterBlob !== undefined && posterBlobKey !== null) putBlobs.push([posterBlobKey, posterBlob]);
    return this.transition(
      id,
      ['preparing'],
      'ready',
      (item) => ({
        ...base(item),
        ...fields,
        note: note ?? null,
        uploadBlobKey,
        uploadSize: uploadBlob?.size ?? null,
        posterBlobKey,
        state: 'ready',
        blobKey: item.blobKey,
      }),
      { putBlobs },
    );
  }

  markUploading(id: string): Promise<QueueItem> {
    return this.transition(id, ['ready'], 'uploading', (item) => ({ ...item, state: 'uploading' }));
  }

  /** Keeps the tus upload URL and the offset the server confirmed, so a later attempt resumes there. */
  setUploadProgress(id: string, upload: UploadSession): Promise<QueueItem> {
    return this.transition(id, ['uploading'], 'uploading', (item) => ({ ...item, upload }));
  }

  /**
   * The item is in the library; its blobs are deleted in the same transaction. `note` replaces
   * the item's remark (the poster frame could not be sent, say).
   */
  markDone(
    id: string,
    result: { assetId: string; outcome: UploadOutcome; note?: string | undefined },
  ): Promise<QueueItem> {
    return this.transition(
      id,
      ['ready', 'uploading'],
      'done',
      (item) => ({
        ...base(item),
        sourceSha256: item.sourceSha256,
        sha256: item.sha256,
        state: 'done',
        assetId: result.assetId,
        outcome: result.outcome,
        upload: null,
        blobKey: null,
        uploadBlobKey: null,
        uploadSize: null,
        posterBlobKey: null,
        note: result.note ?? item.note ?? null,
      }),
      { deleteBlob: true },
    );
  }

  markSkipped(id: string, reason: string): Promise<QueueItem> {
    return this.transition(id, ['preparing', 'ready', 'uploading'], 'skipped', (item) => ({
      ...base(item),
      state: 'skipped',
      reason,
    }));
  }

  /**
   * A retryable failure: counts the attempt and sets when to try again. `forgetUpload` drops the
   * tus URL so the next attempt starts a new upload (the old one is gone or held bad bytes).
   */
  markFailed(
    id: string,
    failure: { error: string; nextAttemptAt: number; forgetUpload?: boolean },
  ): Promise<QueueItem> {
    return this.transition(id, ['preparing', 'ready', 'uploading'], 'failed', (item) => ({
      ...base(item),
      state: 'failed',
      attempts: item.attempts + 1,
      nextAttemptAt: failure.nextAttemptAt,
      error: failure.error,
      upload: failure.forgetUpload === true ? null : item.upload,
    }));
  }

  markBlocked(id: string, blocked: { cause: BlockedCause; reason: string }): Promise<QueueItem> {
    return this.transition(
      id,
      ['queued', 'preparing', 'ready', 'uploading', 'failed'],
      'blocked',
      (item) => ({
        ...base(item),
        state: 'blocked',
        ...blocked,
      }),
    );
  }

  /**
   * Items another account added wait, blocked, until that account is signed in here again; items
   * of `ownerId` blocked that way go back to work. Items without an owner belong to whoever drains.
   */
  async assignToAccount(ownerId: string): Promise<string[]> {
    return this.rewrite(['queued', 'preparing', 'ready', 'uploading', 'failed', 'blocked'], (item) => {
      const owner = item.ownerId ?? null;
      if (item.state === 'blocked') {
        return item.cause === 'other-account' && (owner === null || owner === ownerId) ? rewind(item) : item;
      }
      if (owner === null || owner === ownerId) return item;
      return {
        ...base(item),
        state: 'blocked',
        cause: 'other-account',
        reason: `Sign in as ${item.ownerEmail ?? 'the account that added it'} to back this up.`,
      };
    });
  }

  /** Blocks every item that still has work ahead (for example when the session has expired). */
  blockPending(blocked: { cause: BlockedCause; reason: string }): Promise<string[]> {
    return this.rewrite(['queued', 'preparing', 'ready', 'uploading', 'failed'], (item) => ({
      ...base(item),
      state: 'blocked',
      ...blocked,
    }));
  }

  /** Unblocks the items blocked for `cause` once the user has dealt with it (signed in again). */
  unblock(cause: BlockedCause): Promise<string[]> {
    return this.rewrite(['blocked'], (item) =>
      item.state === 'blocked' && item.cause === cause ? rewind(item) : item,
    );
  }

  /** The user asked to try a failed, blocked or skipped item again, now. */
  async retry(id: string): Promise<QueueItem> {
    const current = await this.get(id);
    // A skipped item is prepared again (its type or the server's limits may be what changed), so
    // a stored upload copy and poster frame are dropped with it.
    const dropKeys =
      current?.state === 'skipped'
        ? [current.uploadBlobKey ?? null, current.posterBlobKey ?? null].filter(
            (key): key is string => key !== null,
          )
        : [];
    return this.transition(
      id,
      ['failed', 'blocked', 'skipped'],
      'queued',
      (item) => {
        if (item.state === 'skipped') {
          return rewind({
            ...item,
            sourceSha256: null,
            sha256: null,
            uploadBlobKey: null,
            uploadSize: null,
            posterBlobKey: null,
            note: null,
          });
        }
        return rewind(item);
      },
      { deleteKeys: dropKeys },
    );
  }

  /** Failed items whose wait is over go back to be prepared or uploaded. */
  requeueDue(now: number = this.now()): Promise<string[]> {
    return this.rewrite(['failed'], (item) =>
      item.state === 'failed' && item.nextAttemptAt <= now ? rewind(item) : item,
    );
  }

  /**
   * Items left in `preparing` or `uploading` by a crash, a closed tab or an abort go back to a
   * state the drain starts from; the tus URL and offset are kept so the upload resumes. Only call
   * this while holding the upload lock: then no other context is working on them.
   */
  resetStale(): Promise<string[]> {
    return this.rewrite(['preparing', 'uploading'], (item) => rewind(item));
  }

  /** Deletes an item and its blob. */
  async remove(id: string): Promise<void> {
    const tx = this.db.transaction(['items', 'blobs'], 'readwrite');
    const item = await tx.objectStore('items').get(id);
    if (item === undefined) throw new QueueItemNotFoundError(id);
    const writes: Promise<unknown>[] = [tx.objectStore('items').delete(id)];
    for (const key of blobKeysOf(item)) writes.push(tx.objectStore('blobs').delete(key));
    await Promise.all([...writes, tx.done]);
    this.notify({ type: 'changed', ids: [id] });
  }

  /** Removes the items that are done (their blobs are already gone). */
  async clearCompleted(): Promise<string[]> {
    const tx = this.db.transaction('items', 'readwrite');
    const ids = await tx.store.index('by-state').getAllKeys('done');
    await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
    if (ids.length > 0) this.notify({ type: 'changed', ids });
    return ids;
  }

  private async transition<S extends QueueState>(
    id: string,
    from: readonly S[],
    to: QueueState,
    change: (item: ItemInState<S>) => QueueItem,
    options: { deleteBlob?: boolean; putBlobs?: [string, Blob][]; deleteKeys?: string[] } = {},
  ): Promise<QueueItem> {
    const tx = this.db.transaction(['items', 'blobs'], 'readwrite');
    const items = tx.objectStore('items');
    const item = await items.get(id);
    // Throwing before any write lets the transaction commit empty: nothing changes.
    if (item === undefined) throw new QueueItemNotFoundError(id);
    if (!inStates(item, from)) throw new QueueTransitionError(id, item.state, to);
    const next = change(item);
    const writes: Promise<unknown>[] = [items.put(next)];
    const blobs = tx.objectStore('blobs');
    const deleteKeys = [
      ...(options.deleteBlob === true ? blobKeysOf(item) : []),
      ...(options.deleteKeys ?? []),
    ];
    for (const key of deleteKeys) writes.push(blobs.delete(key));
    for (const [key, blob] of options.putBlobs ?? []) writes.push(blobs.put(blob, key));
    await Promise.all([...writes, tx.done]);
    this.notify({ type: 'changed', ids: [id] });
    return next;
  }

  /** Applies `change` to every item in the given states, in one transaction; returns the ids changed. */
  private async rewrite(
    states: readonly QueueState[],
    change: (item: QueueItem) => QueueItem,
  ): Promise<string[]> {
    const tx = this.db.transaction('items', 'readwrite');
    const index = tx.store.index('by-state');
    const changed: string[] = [];
    const writes: Promise<unknown>[] = [];
    for (const state of states) {
      for (const item of await index.getAll(state)) {
        const next = change(item);
        if (next === item) continue;
        changed.push(item.id);
        writes.push(tx.store.put(next));
      }
    }
    await Promise.all([...writes, tx.done]);
    if (changed.length > 0) this.notify({ type: 'changed', ids: changed });
    return changed;
  }
}
