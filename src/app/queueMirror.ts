import { QUEUE_STATES, bytesLeftOf, uploadLength } from '../queue/item';
import type { BlockedCause, QueueItem, QueueState } from '../queue/item';

/** Items oldest added first, ties by id: the order the Backup screen lists them in (newest first, reversed). */
function before(a: QueueItem, b: QueueItem): boolean {
  return a.addedAt < b.addedAt || (a.addedAt === b.addedAt && a.id < b.id);
}

/**
 * Bytes that reached the server as `old` became `item`: its upload's confirmed offset moving on,
 * or the rest of the upload once the server created the asset. Nothing for a duplicate found by
 * the check, a skipped or a removed file: they leave the queue without a byte sent.
 */
function bytesReached(old: QueueItem, item: QueueItem): number {
  const before = 'upload' in old && old.upload !== null ? old.upload.offset : 0;
  if (item.state === 'done') return item.outcome === 'created' ? Math.max(0, uploadLength(old) - before) : 0;
  const after = 'upload' in item && item.upload !== null ? item.upload.offset : 0;
  return Math.max(0, after - before);
}

const zeroCounts = (): Record<QueueState, number> =>
  Object.fromEntries(QUEUE_STATES.map((state) => [state, 0])) as Record<QueueState, number>;

/**
 * The page's copy of the queue, kept item by item from the queue's change notices (issue 19):
 * applying one changed item costs the same at 10 items and at 10,000 (a binary search in the
 * list, counts and bytes adjusted by the difference), and nothing here ever reads the whole
 * queue again except `reset` when the page opens. Plain data: the store wraps it in reactivity.
 */
export class QueueMirror {
  private readonly byId = new Map<string, QueueItem>();
  /** Every item, oldest added first. */
  private readonly list: QueueItem[] = [];
  private readonly inFlight = new Set<string>();
  /** Failed items waiting for their next attempt: few, since the drain stops at the first that is not the item's fault. */
  private readonly failing = new Set<string>();
  readonly counts = zeroCounts();
  /** Blocked items by what they wait for: 'storage' are the files the device had no room for. */
  readonly blocked: Record<BlockedCause, number> = { 'signed-out': 0, 'other-account': 0, storage: 0 };
  bytesLeft = 0;
  /**
   * Bytes seen reaching the server since this page opened, only ever growing: what the upload
   * rate, and so the time left, is measured from (uploadRate.ts).
   */
  bytesSent = 0;
  /**
   * Bytes of work that joined the queue since this page opened (files added, an upload that must
   * start again), and bytes that left it without being backed up (a file skipped, removed or not
   * stored, the part of a photo Storage saver's copy saved): only ever growing, so that a run's
   * progress bar (backupStatus.ts) grows with the first and shrinks its total by the second, rather
   * than counting a skipped file's bytes as sent.
   */
  bytesAdded = 0;
  bytesDropped = 0;

  get size(): number {
    return this.list.length;
  }

  get(id: string): QueueItem | undefined {
    return this.byId.get(id);
  }

  /**
   * Replaces everything with `items` (the queue as read), keeping the items of this list that
   * `keep` says live here only (files the device had no room for, whose record did not fit).
   */
  reset(items: readonly QueueItem[], keep: (item: QueueItem) => boolean = () => false): void {
    const read = new Set(items.map((item) => item.id));
    const kept = this.list.filter((item) => keep(item) && !read.has(item.id));
    const { bytesLeft, bytesAdded, bytesDropped } = this;
    this.byId.clear();
    this.list.length = 0;
    this.inFlight.clear();
    this.failing.clear();
    Object.assign(this.counts, zeroCounts());
    Object.assign(this.blocked, { 'signed-out': 0, 'other-account': 0, storage: 0 });
    this.bytesLeft = 0;
    for (const item of [...items, ...kept]) this.apply(item);
    // What changed unseen (notices missed while the page slept): more work is work added; less is
    // taken as progress, most likely another context's uploads.
    this.bytesAdded = bytesAdded + Math.max(0, this.bytesLeft - bytesLeft);
    this.bytesDropped = bytesDropped;
  }

  /** Puts an item in as it now is. */
  apply(item: QueueItem): void {
    const old = this.byId.get(item.id);
    let leftBefore = 0;
    let reached = 0;
    if (old !== undefined) {
      leftBefore = bytesLeftOf(old);
      reached = bytesReached(old, item);
      this.bytesSent += reached;
      this.count(old, -1);
      this.list[this.indexOf(old)] = item;
    } else {
      this.list.splice(this.insertionPoint(item), 0, item);
    }
    this.byId.set(item.id, item);
    this.count(item, 1);
    // A backed-up item's bytes are done, whether sent or already on the server (a duplicate).
    this.follow(leftBefore, bytesLeftOf(item), item.state === 'done' ? Number.POSITIVE_INFINITY : reached);
  }

  remove(id: string): void {
    const old = this.byId.get(id);
    if (old === undefined) return;
    this.follow(bytesLeftOf(old), 0, 0);
    this.count(old, -1);
    this.list.splice(this.indexOf(old), 1);
    this.byId.delete(id);
  }

  /** The `count` items added last, newest first. */
  newest(count: number): QueueItem[] {
    return this.list.slice(Math.max(0, this.list.length - count)).reverse();
  }

  /** An item being uploaded, else one being prepared; null when neither. */
  current(): QueueItem | null {
    let preparing: QueueItem | null = null;
    for (const id of this.inFlight) {
      const item = this.byId.get(id);
      if (item?.state === 'uploading') return item;
      if (item !== undefined) preparing ??= item;
    }
    return preparing;
  }

  /** The failed item due again first, with its error (a server's full disk, no connection); null when none. */
  nextRetry(): { error: string; nextAttemptAt: number } | null {
    let next: { error: string; nextAttemptAt: number } | null = null;
    for (const id of this.failing) {
      const item = this.byId.get(id);
      if (item?.state !== 'failed') continue;
      if (next === null || item.nextAttemptAt < next.nextAttemptAt)
        next = { error: item.error, nextAttemptAt: item.nextAttemptAt };
    }
    return next;
  }

  /** Work added, or dropped: what went from `before` bytes left to `after` other than `progressed`. */
  private follow(before: number, after: number, progressed: number): void {
    if (after > before) this.bytesAdded += after - before;
    else this.bytesDropped += Math.max(0, before - after - progressed);
  }

  private count(item: QueueItem, sign: 1 | -1): void {
    this.counts[item.state] += sign;
    this.bytesLeft += sign * bytesLeftOf(item);
    if (item.state === 'blocked') this.blocked[item.cause] += sign;
    if (item.state === 'uploading' || item.state === 'preparing') {
      if (sign > 0) this.inFlight.add(item.id);
      else this.inFlight.delete(item.id);
    }
    if (item.state === 'failed') {
      if (sign > 0) this.failing.add(item.id);
      else this.failing.delete(item.id);
    }
  }

  /** First position whose item is not before `item`. */
  private insertionPoint(item: QueueItem): number {
    let low = 0;
    let high = this.list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (before(this.list[mid] as QueueItem, item)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private indexOf(item: QueueItem): number {
    const at = this.insertionPoint(item);
    if (this.list[at]?.id !== item.id) throw new Error(`The queue mirror lost item ${item.id}.`);
    return at;
  }
}
