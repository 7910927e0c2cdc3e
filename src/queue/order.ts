import { mediaKindOf } from '../shared/limits';
import type { QueueItem } from './item';

/** Photos (and anything not yet known to be a video) go before videos. */
function kindRank(item: QueueItem): number {
  return mediaKindOf(item.type) === 'video' ? 1 : 0;
}

/**
 * The order the drain works in (DESIGN §4): photos before videos, smaller before larger, oldest
 * added first, so many photos are safe before one long video starts.
 */
export function uploadOrder(a: QueueItem, b: QueueItem): number {
  return kindRank(a) - kindRank(b) || a.size - b.size || a.addedAt - b.addedAt || a.id.localeCompare(b.id);
}
