/**
 * The preview of a stored photo in its row on the Backup screen (issue 19): an object URL of the
 * file in the queue, made only while the row is on screen, in idle time and one row at a time, and
 * revoked as soon as the row leaves the screen or the list. Adding 10,000 photos replaces the
 * newest rows with each batch of 50; a URL made for every row that passed the top of the list
 * cost an IndexedDB read each and 1.6 s of URL.createObjectURL, during the add (bench queue).
 */
import { onMounted, onScopeDispose, ref, watch } from 'vue';
import type { Ref } from 'vue';

interface Request {
  load: () => Promise<Blob | undefined>;
  /** The URL made, or null when there is nothing to show (no stored file, or it could not be read). */
  settle: (url: string | null) => void;
  cancelled: boolean;
}

/** Requests in the order made: the rows that came on screen first are shown first. */
const waiting = new Set<Request>();
let serving = false;

function whenIdle(run: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 1_000 });
  else setTimeout(run, 0);
}

/** Serves the next request once the page is idle, then the next, until none is left. */
function serveNext(): void {
  if (serving || waiting.size === 0) return;
  serving = true;
  whenIdle(() => {
    const [next] = waiting;
    const done = (): void => {
      serving = false;
      serveNext();
    };
    if (next === undefined) {
      done();
      return;
    }
    waiting.delete(next);
    next
      .load()
      .then(
        (blob) => {
          // The row may have left the screen while the file was read.
          if (!next.cancelled) next.settle(blob === undefined ? null : URL.createObjectURL(blob));
        },
        // Unreadable here, the file shows as a plain tile; the drain reads it too and says why.
        () => {
          if (!next.cancelled) next.settle(null);
        },
      )
      .finally(done);
  });
}

function request(load: Request['load'], settle: Request['settle']): Request {
  const made: Request = { load, settle, cancelled: false };
  waiting.add(made);
  serveNext();
  return made;
}

function cancel(made: Request): void {
  made.cancelled = true;
  waiting.delete(made);
}

/** One observer for every row: which are on screen (or nearly). */
const onScreenOf = new WeakMap<Element, (onScreen: boolean) => void>();
let observer: IntersectionObserver | null = null;

function observeOnScreen(element: Element, changed: (onScreen: boolean) => void): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    changed(true);
    return () => undefined;
  }
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) onScreenOf.get(entry.target)?.(entry.isIntersecting);
    },
    { rootMargin: '200px' },
  );
  onScreenOf.set(element, changed);
  observer.observe(element);
  return () => {
    observer?.unobserve(element);
    onScreenOf.delete(element);
  };
}

export interface QueuePreviewSource {
  /** The stored file's key; null once it is gone (backed up). */
  key: string | null;
  /** Whether the file can be shown as a picture (a photo, not empty). */
  shown: boolean;
  /**
   * False while files are being added: each batch then replaces the newest rows, so a preview
   * made for one would be thrown away a moment later. Previews already made stay.
   */
  settled: boolean;
}

/**
 * The row's preview URL (null until made, and while off screen), and whether the row has been on
 * screen at all (for a picture from the server once the stored file is gone).
 */
export function useQueuePreview(
  row: Readonly<Ref<HTMLElement | null>>,
  source: () => QueuePreviewSource,
  load: () => Promise<Blob | undefined>,
): { preview: Ref<string | null>; seen: Ref<boolean> } {
  const preview = ref<string | null>(null);
  const onScreen = ref(false);
  const seen = ref(false);
  let pending: Request | null = null;
  /** The key whose preview is shown or asked for. */
  let madeFor: string | null = null;

  const drop = (): void => {
    if (pending !== null) cancel(pending);
    pending = null;
    if (preview.value !== null) URL.revokeObjectURL(preview.value);
    preview.value = null;
    madeFor = null;
  };

  onMounted(() => {
    if (row.value === null) return;
    const stop = observeOnScreen(row.value, (now) => {
      onScreen.value = now;
      if (now) seen.value = true;
    });
    onScopeDispose(stop);
  });

  watch(
    [() => source().key, () => source().shown, () => source().settled, onScreen],
    ([key, shown, settled, visible]) => {
      if (!visible || !shown) {
        drop();
        return;
      }
      // Backed up, the stored file is deleted: the row keeps the picture it shows (then the server's).
      if (key === null || key === madeFor) return;
      drop();
      if (!settled) return;
      madeFor = key;
      const made = request(load, (url) => {
        pending = null;
        preview.value = url;
      });
      pending = made;
    },
    { immediate: true },
  );
  onScopeDispose(drop);
  return { preview, seen };
}
