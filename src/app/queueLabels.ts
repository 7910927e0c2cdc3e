import { RETRY_CAP_MS } from '../queue/backoff';
import { uploadLength } from '../queue/item';
import type { QueueItem } from '../queue/item';

/**
 * "Retrying in 2 min": how long a failed item still waits. Never more than the backoff's cap: the
 * page's `now` ticks every few seconds (useNow), so right after a server asked for the whole 15
 * minutes (a full disk's Retry-After) it lags the failure's clock, and rounding up said "16 min".
 */
export function retryLabel(nextAttemptAt: number, now: number): string {
  const wait = Math.min(nextAttemptAt - now, RETRY_CAP_MS);
  if (wait <= 0) return 'Retrying soon';
  if (wait < 60_000) return `Retrying in ${Math.ceil(wait / 1000)} s`;
  return `Retrying in ${Math.ceil(wait / 60_000)} min`;
}

/** The short state word(s) a queue row shows. */
export function stateLabel(item: QueueItem, now: number): string {
  switch (item.state) {
    case 'queued':
      return 'Waiting';
    case 'preparing':
      return 'Preparing';
    case 'ready':
      return 'Waiting to upload';
    case 'uploading':
      return 'Uploading';
    case 'done':
      return item.outcome === 'duplicate' ? 'Already backed up' : 'Backed up';
    case 'skipped':
      return 'Skipped';
    case 'failed':
      return retryLabel(item.nextAttemptAt, now);
    case 'blocked':
      return 'Needs your attention';
  }
}

/** Why an item is not moving, as the sentence the queue record keeps; null when nothing is wrong. */
export function reasonOf(item: QueueItem): string | null {
  switch (item.state) {
    case 'skipped':
    case 'blocked':
      return item.reason;
    case 'failed':
      return item.error;
    default:
      return null;
  }
}

/** Upload progress in [0, 1] from the offset the server confirmed; null when not uploading. */
export function progressOf(item: QueueItem): number | null {
  if (item.state !== 'uploading') return null;
  const length = uploadLength(item);
  if (length === 0) return 1;
  return Math.min(1, (item.upload?.offset ?? 0) / length);
}
