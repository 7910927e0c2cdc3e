/**
 * What every operation of the queue is built on: the database, the clock, the notices each context
 * hears, and the one-transaction change of one item. The operations over many items (adding.ts,
 * bulk.ts) take a QueueStore, and QueueDb (queueDb.ts) gathers them all on top of it, so that
 * nothing below QueueDb imports it back.
 */
import { QueueNotifier } from './channel';
import type { QueueNotice } from './channel';
import { QueueItemNotFoundError, QueueTransitionError } from './errors';
import type { ItemInState, QueueItem, QueueState } from './item';
import { blobsOf } from './keys';
import type { OpenOptions, ShoeboxDatabase } from './schema';

export interface QueueDbOptions extends OpenOptions {
  /** Where change notices go; by default the BroadcastChannel 'shoebox-queue'. */
  notify?: (notice: QueueNotice) => void;
  now?: () => number;
}

/** What a transition does to the item's blobs, in its transaction. */
export interface BlobChanges {
  put?: [string, Blob][];
  /** Delete these keys. */
  drop?: string[];
  /** Delete every blob of the item. */
  dropAll?: boolean;
}

export class QueueStore {
  readonly now: () => number;
  private readonly post: (notice: QueueNotice) => void;
  private lastAddedAt = 0;

  constructor(
    readonly db: ShoeboxDatabase,
    options: Pick<QueueDbOptions, 'notify' | 'now'> = {},
  ) {
    if (options.notify) {
      this.post = options.notify;
    } else {
      const notifier = new QueueNotifier();
      this.post = (notice) => notifier.post(notice);
    }
    this.now = options.now ?? Date.now;
  }

  close(): void {
    this.db.close();
  }

  /** Tells every context (pages, the service worker) what changed. */
  announce(items: readonly QueueItem[]): void {
    if (items.length > 0) this.post({ type: 'items', items: [...items] });
  }

  announceRemoved(ids: readonly string[]): void {
    if (ids.length > 0) this.post({ type: 'removed', ids: [...ids] });
  }

  /** Epoch ms for a new item: strictly increasing, so items added in one go keep the pick order. */
  nextAddedAt(): number {
    this.lastAddedAt = Math.max(this.now(), this.lastAddedAt + 1);
    return this.lastAddedAt;
  }

  /**
   * Reads the item, checks it is in one of `from`, writes what `change` makes of it and applies
   * the blob changes, all in one transaction; then announces the new item.
   */
  protected async transition<S extends QueueState, T extends QueueItem>(
    id: string,
    from: readonly S[],
    change: (item: ItemInState<S>) => T,
    blobs: BlobChanges = {},
  ): Promise<T> {
    const touchesBlobs = blobs.dropAll === true || (blobs.drop?.length ?? 0) + (blobs.put?.length ?? 0) > 0;
    // Only the stores written are in the scope: a transition of the item alone does not hold up
    // the reads of files the other stages are sending or preparing meanwhile.
    const tx = this.db.transaction(touchesBlobs ? ['items', 'blobs'] : ['items'], 'readwrite');
    const items = tx.objectStore('items');
    const item = await items.get(id);
    // Throwing before any write lets the transaction commit empty: nothing changes.
    if (item === undefined) throw new QueueItemNotFoundError(id);
    if (!(from as readonly QueueState[]).includes(item.state)) throw new QueueTransitionError(id, item.state);
    const next = change(item as ItemInState<S>);
    const writes: Promise<unknown>[] = [items.put(next)];
    if (touchesBlobs) {
      const store = tx.objectStore('blobs');
      if (blobs.dropAll === true) writes.push(store.delete(blobsOf(id)));
      for (const key of blobs.drop ?? []) writes.push(store.delete(key));
      for (const [key, blob] of blobs.put ?? []) writes.push(store.put(blob, key));
    }
    await Promise.all([...writes, tx.done]);
    this.announce([next]);
    return next;
  }
}
