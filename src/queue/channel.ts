import type { QueueItem } from './item';

/**
 * Change notices between every context that touches the queue (pages and the service worker),
 * on a BroadcastChannel: it delivers to every other channel object of the same name.
 */
export const QUEUE_CHANNEL = 'shoebox-queue';

export type QueueNotice =
  /**
   * Items were written, as they now are: every page updates its mirror item by item from these,
   * never by reading the queue again (issue 19).
   */
  | { type: 'items'; items: QueueItem[] }
  | { type: 'removed'; ids: string[] }
  | { type: 'drain'; running: boolean };

export function isQueueNotice(value: unknown): value is QueueNotice {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'items' || type === 'removed' || type === 'drain';
}

/** Posts notices on the queue channel; safe where BroadcastChannel does not exist (old Safari). */
export class QueueNotifier {
  private channel: BroadcastChannel | null = null;

  post(notice: QueueNotice): void {
    if (typeof BroadcastChannel === 'undefined') return;
    this.channel ??= new BroadcastChannel(QUEUE_CHANNEL);
    this.channel.postMessage(notice);
  }

  close(): void {
    this.channel?.close();
    this.channel = null;
  }
}

/**
 * One channel for a page: its own notices go out on it (and to `listener` at once, in this
 * thread), and the other contexts' come in. A BroadcastChannel never delivers to the object that
 * posted, so the page hears each of its own changes once, synchronously, in the order made.
 */
export function openQueueChannel(listener: (notice: QueueNotice) => void): {
  post: (notice: QueueNotice) => void;
  close: () => void;
} {
  if (typeof BroadcastChannel === 'undefined') return { post: listener, close: () => undefined };
  const channel = new BroadcastChannel(QUEUE_CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if (isQueueNotice(event.data)) listener(event.data);
  };
  return {
    post: (notice) => {
      channel.postMessage(notice);
      listener(notice);
    },
    close: () => channel.close(),
  };
}
