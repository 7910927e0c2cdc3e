/**
 * Change notices between every context that touches the queue (pages, later the service worker).
 * A BroadcastChannel delivers to every other channel object of the same name, including other
 * objects in the same page, so the page's store hears the page's own drain the same way it will
 * hear the service worker's.
 */
export const QUEUE_CHANNEL = 'shoebox-queue';

export type QueueNotice =
  /** Items were written; `ids` lists them, or is null when too many changed to list. */
  { type: 'changed'; ids: string[] | null } | { type: 'drain'; running: boolean };

export function isQueueNotice(value: unknown): value is QueueNotice {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'changed' || type === 'drain';
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

/** Calls `listener` for each notice from any other context; returns the function that stops listening. */
export function listenToQueue(listener: (notice: QueueNotice) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(QUEUE_CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if (isQueueNotice(event.data)) listener(event.data);
  };
  return () => channel.close();
}
