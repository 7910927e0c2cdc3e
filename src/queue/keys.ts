/** The keys the queue's indexes and blob store are read by (schema.ts). */
import type { QueueItem, QueueState } from './item';
import type { OrderKey } from './schema';

/** Items in one state, in upload order: [state] ≤ key < [state, []] (arrays sort after numbers). */
export function stateRange(state: QueueState): IDBKeyRange {
  return IDBKeyRange.bound([state], [state, []]);
}

export function orderKey(item: QueueItem): OrderKey {
  return [item.state, item.rank, item.size, item.addedAt, item.id];
}

/** Every blob of an item is stored under `${id}/` (original, upload copy, poster), so one range covers them. */
export function blobsOf(id: string): IDBKeyRange {
  return IDBKeyRange.bound(`${id}/`, `${id}/\uffff`);
}
