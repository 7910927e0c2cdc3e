import type { QueueItem } from './item';

/**
 * The order the drain works in (DESIGN §4): photos before videos, smaller before larger, oldest
 * added first, so many photos are safe before one long video starts. The `by-order` index of the
 * queue (schema.ts) sorts by the same keys.
 */
export function uploadOrder(a: QueueItem, b: QueueItem): number {
  return (
    a.rank - b.rank || a.size - b.size || a.addedAt - b.addedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
