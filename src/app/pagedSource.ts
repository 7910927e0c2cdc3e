/**
 * A TimelineSource over any listing that pages like the timeline (`<base>?cursor=&limit=` and
 * `<base>/buckets`): an album, the favourites, the archive. The day counts come first and size
 * the grid; pages then follow one another by cursor up to the furthest index the grid asked for.
 */
import { computed, reactive, ref, shallowRef, triggerRef } from 'vue';
import type { Asset, AssetBuckets, DayBucket } from '../shared/api';
import { requestJson } from '../queue/http';
import type { TimelineSource } from './timelineSource';

const PAGE = 200;

export interface PagedSource<T extends Asset> extends TimelineSource {
  readonly slots: readonly (T | undefined)[];
  readonly loading: boolean;
  /** Why it could not be loaded, as a sentence. */
  readonly problem: string | null;
  /** (Re)reads the days and forgets the pages. */
  load(): Promise<void>;
  /** Takes these ids out of what is shown (the server said they left). */
  removeLocally(ids: Iterable<string>): void;
  /** Replaces a loaded asset with a changed copy. */
  update(asset: T): void;
}

export function createPagedSource<T extends Asset, Item = T>(
  base: string,
  details: (id: string) => Promise<T>,
  /** The listing's items in the shape the grid reads (a link's photos lack an account's fields). */
  map: (item: Item) => T = (item) => item as unknown as T,
): PagedSource<T> {
  const days = shallowRef<DayBucket[]>([]);
  const slots = shallowRef<(T | undefined)[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const problem = ref<string | null>(null);
  let cursor: string | null = null;
  let next = 0;
  let wantedEnd = 0;
  let generation = 0;
  let filling: Promise<void> | null = null;

  async function load(): Promise<void> {
    const own = ++generation;
    loading.value = true;
    problem.value = null;
    try {
      const buckets = await requestJson<AssetBuckets>(`${base}/buckets`);
      if (own !== generation) return;
      days.value = buckets.days;
      slots.value = new Array<T | undefined>(buckets.total);
      cursor = null;
      next = 0;
      loaded.value = true;
      wantedEnd = Math.max(wantedEnd, PAGE);
      await fill();
    } catch (error) {
      if (own === generation)
        problem.value = error instanceof Error ? error.message : 'Shoebox could not reach the server.';
    } finally {
      if (own === generation) loading.value = false;
    }
  }

  function fill(): Promise<void> {
    filling ??= (async () => {
      try {
        const own = generation;
        while (next < Math.min(wantedEnd, slots.value.length) && own === generation) {
          const query = new URLSearchParams({ limit: String(PAGE) });
          if (cursor !== null) query.set('cursor', cursor);
          const page = await requestJson<{ items: Item[]; nextCursor: string | null }>(
            `${base}?${query.toString()}`,
          );
          if (own !== generation) return;
          page.items.forEach((asset, i) => (slots.value[next + i] = map(asset)));
          next += page.items.length;
          cursor = page.nextCursor;
          triggerRef(slots);
          if (cursor === null || page.items.length === 0) {
            // Fewer than the days said (something left meanwhile): the grid shows what there is.
            slots.value.length = next;
            triggerRef(slots);
            break;
          }
        }
      } finally {
        filling = null;
      }
    })();
    return filling;
  }

  function ensureRange(_start: number, end: number): void {
    wantedEnd = Math.max(wantedEnd, end);
    if (loaded.value) {
      fill().catch((error: unknown) => {
        problem.value = error instanceof Error ? error.message : 'Shoebox could not reach the server.';
      });
    }
  }

  async function loadRange(start: number, end: number): Promise<string[]> {
    wantedEnd = Math.max(wantedEnd, end);
    while (next < Math.min(end, slots.value.length)) {
      const before = next;
      await fill();
      if (next === before) break;
    }
    return slots.value.slice(start, end).flatMap((asset) => (asset === undefined ? [] : [asset.id]));
  }

  async function refresh(index: number): Promise<void> {
    const asset = slots.value[index];
    if (asset === undefined) return;
    const fresh = await details(asset.id);
    if (slots.value[index]?.id !== fresh.id) return;
    slots.value[index] = fresh;
    triggerRef(slots);
  }

  function removeLocally(ids: Iterable<string>): void {
    const gone = new Set(ids);
    const counts = new Map(days.value.map((bucket) => [bucket.day, bucket.count]));
    const target = slots.value;
    for (let i = target.length - 1; i >= 0; i--) {
      const asset = target[i];
      if (asset === undefined || !gone.has(asset.id)) continue;
      target.splice(i, 1);
      if (i < next) next--;
      const day = asset.capturedAt.slice(0, 10);
      counts.set(day, (counts.get(day) ?? 1) - 1);
    }
    days.value = days.value
      .map((bucket) => ({ day: bucket.day, count: counts.get(bucket.day) ?? 0 }))
      .filter((bucket) => bucket.count > 0);
    triggerRef(slots);
  }

  function update(asset: T): void {
    const index = slots.value.findIndex((slot) => slot?.id === asset.id);
    if (index < 0) return;
    slots.value[index] = asset;
    triggerRef(slots);
  }

  return reactive({
    days,
    slots,
    total: computed(() => slots.value.length),
    loaded,
    loading,
    problem,
    load,
    ensureRange,
    loadRange,
    refresh,
    removeLocally,
    update,
  });
}
