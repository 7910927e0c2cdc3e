/**
 * Transitions of many items at once, each in one transaction, each reading only the items it
 * may change through an index (schema.ts): the due failures, the stale ones, another account's.
 */
import type { BlockedCause, QueueItem, QueueState, ReadyItem } from './item';
import type { QueueStore } from './store';
import { stateRange } from './keys';
import * as to from './transitions';

type Change = (item: QueueItem) => QueueItem | null;

/** Applies `change` to the items under each cursor's range; null leaves an item as it is. */
async function rewrite(
  queue: QueueStore,
  ranges: readonly { index: 'by-order' | 'by-due' | 'by-owner'; range: IDBKeyRange }[],
  change: Change,
): Promise<QueueItem[]> {
  const tx = queue.db.transaction('items', 'readwrite');
  const changed: QueueItem[] = [];
  for (const { index, range } of ranges) {
    for (
      let cursor = await tx.store.index(index).openCursor(range);
      cursor !== null;
      cursor = await cursor.continue()
    ) {
      const next = change(cursor.value);
      if (next === null) continue;
      changed.push(next);
      await cursor.update(next);
    }
  }
  await tx.done;
  queue.announce(changed);
  return changed;
}

const inStates = (states: readonly QueueState[]): { index: 'by-order'; range: IDBKeyRange }[] =>
  states.map((state) => ({ index: 'by-order', range: stateRange(state) }));

export async function requeueDue(queue: QueueStore, now: number): Promise<ReadyItem[]> {
  const changed = await rewrite(queue, [{ index: 'by-due', range: IDBKeyRange.upperBound(now) }], (item) =>
    item.state === 'failed' ? to.requeued(item) : null,
  );
  return changed as ReadyItem[];
}

export function resetStale(queue: QueueStore): Promise<QueueItem[]> {
  return rewrite(queue, inStates(['preparing', 'uploading']), (item) =>
    item.state === 'preparing' || item.state === 'uploading' ? to.rewound(item) : null,
  );
}

function blockedFor(
  item: QueueItem,
  cause: 'signed-out' | 'other-account',
  reason: string,
): QueueItem | null {
  switch (item.state) {
    case 'queued':
    case 'preparing':
    case 'ready':
    case 'uploading':
    case 'failed':
      return to.blocked(item, cause, reason);
    default:
      return null;
  }
}

export async function assignToAccount(queue: QueueStore, ownerId: string): Promise<QueueItem[]> {
  // Other accounts' items, on both sides of ownerId in the owner index (shares, without an owner,
  // are not in it), then the blocked ones, which are few, for those of this account.
  const others = await rewrite(
    queue,
    [
      { index: 'by-owner', range: IDBKeyRange.upperBound(ownerId, true) },
      { index: 'by-owner', range: IDBKeyRange.lowerBound(ownerId, true) },
    ],
    (item) =>
      blockedFor(
        item,
        'other-account',
        `Sign in as ${item.owner?.email ?? 'the account that added it'} to back this up.`,
      ),
  );
  const mine = await rewrite(queue, inStates(['blocked']), (item) =>
    item.state === 'blocked' &&
    item.cause === 'other-account' &&
    (item.owner === null || item.owner.id === ownerId)
      ? to.unblocked(item)
      : null,
  );
  return [...others, ...mine];
}

export function blockPending(
  queue: QueueStore,
  cause: 'signed-out' | 'other-account',
  reason: string,
): Promise<QueueItem[]> {
  return rewrite(queue, inStates(['queued', 'preparing', 'ready', 'uploading', 'failed']), (item) =>
    blockedFor(item, cause, reason),
  );
}

export function unblock(queue: QueueStore, cause: BlockedCause): Promise<QueueItem[]> {
  return rewrite(queue, inStates(['blocked']), (item) =>
    item.state === 'blocked' && item.cause === cause && item.cause !== 'storage' ? to.unblocked(item) : null,
  );
}
