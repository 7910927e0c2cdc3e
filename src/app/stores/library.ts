import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { Asset, DayBucket } from '../../shared/api';
import { PAGE_LIMIT_MAX } from '../timelineLayout';
import * as api from '../libraryApi';
import { ApiError } from '../../queue/http';

const PAGE_MIN = 100;
/** At most one automatic reload this often, so a server that disagrees with itself cannot loop us. */
const AUTO_RELOAD_MS = 10_000;

function messageOf(error: unknown, fallback: string): string {
  return error instanceof Error ? error.message : fallback;
}

/**
 * The signed-in user's timeline, newest capture first. The day buckets come first and size the
 * whole timeline; pages of assets then fill `slots` (one per timeline index) lazily, for the
 * indices the view asks for: by keyset cursor when continuing a loaded run, by `from=<day>` when
 * jumping into the middle.
 */
export const useLibraryStore = defineStore('library', () => {
  const days = shallowRef<DayBucket[]>([]);
  /** Timeline index → asset, undefined until its page has loaded. Mutated in place, then triggered. */
  const slots = shallowRef<(Asset | undefined)[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  /** Why the library could not be loaded, as a sentence. */
  const problem = ref<string | null>(null);

  const total = computed(() => slots.value.length);

  /** Index where the next page of a loaded run starts → the cursor that continues it. */
  let cursorAt = new Map<number, string>();
  let generation = 0;
  let controller: AbortController | null = null;
  let wanted: { start: number; end: number } | null = null;
  let filling = false;
  let lastAutoReload = 0;

  /** (Re)reads the day buckets and forgets loaded pages; a new call replaces one in progress. */
  /** The reload in progress, which `locate` waits for rather than reading days it replaces. */
  let reloading: Promise<void> | null = null;

  function load(): Promise<void> {
    const run = loadOnce();
    reloading = run;
    void run.finally(() => {
      if (reloading === run) reloading = null;
    });
    return run;
  }

  async function loadOnce(): Promise<void> {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    generation++;
    loading.value = true;
    // The first load asks for the newest page with the buckets, not after them: it is what the
    // first screen shows (issue 5). Should it fail, fill asks for it again and reports that.
    const head = loaded.value ? null : api.listAssetPage(api.FIRST_PAGE, own.signal).catch(() => null);
    try {
      const buckets = await api.getBuckets(own.signal);
      const page = await head;
      days.value = buckets.days;
      const fresh = new Array<Asset | undefined>(buckets.total);
      cursorAt = new Map();
      if (page !== null) {
        page.items.forEach((asset, i) => {
          if (i < fresh.length) fresh[i] = asset;
        });
        if (page.nextCursor !== null) cursorAt.set(page.items.length, page.nextCursor);
      }
      slots.value = fresh;
      loaded.value = true;
      problem.value = null;
      loading.value = false;
      if (wanted !== null) void fill();
    } catch (error) {
      if (own.signal.aborted) return;
      problem.value = messageOf(error, 'Shoebox could not load your library.');
    } finally {
      if (controller === own) loading.value = false;
    }
  }

  function dayStart(index: number): { day: string; firstIndex: number } | null {
    let first = 0;
    for (const bucket of days.value) {
      if (index < first + bucket.count) return { day: bucket.day, firstIndex: first };
      first += bucket.count;
    }
    return null;
  }

  /** Asks for the assets at indices [start, end) to be loaded (the latest ask wins). */
  function ensureRange(start: number, end: number): void {
    wanted = { start: Math.max(0, start), end: Math.min(end, slots.value.length) };
    if (!filling) void fill();
  }

  function firstMissing(): number | null {
    if (wanted === null) return null;
    const end = Math.min(wanted.end, slots.value.length);
    for (let i = wanted.start; i < end; i++) if (slots.value[i] === undefined) return i;
    return null;
  }

  /**
   * Loads the page holding index `missing` (a page of up to `end - missing` assets, at least
   * PAGE_MIN): by the cursor that continues a loaded run, else from the start of its day. False when
   * the library changed under the buckets (the page did not fill `missing`) or was reloaded meanwhile.
   */
  async function loadPageAt(missing: number, end: number, signal: AbortSignal | undefined): Promise<boolean> {
    const own = generation;
    const cursor = cursorAt.get(missing);
    const jump = cursor === undefined ? dayStart(missing) : null;
    const start = cursor === undefined ? (jump?.firstIndex ?? missing) : missing;
    const limit = Math.min(PAGE_LIMIT_MAX, Math.max(PAGE_MIN, end - start));
    const page = await api.listAssetPage(
      cursor === undefined ? { from: jump?.day ?? null, limit } : { cursor, limit },
      signal,
    );
    if (own !== generation) return false;
    const target = slots.value;
    page.items.forEach((asset, i) => {
      if (start + i < target.length) target[start + i] = asset;
    });
    if (page.nextCursor !== null) cursorAt.set(start + page.items.length, page.nextCursor);
    triggerRef(slots);
    return target[missing] !== undefined;
  }

  /** Loads pages one at a time until the wanted range is filled. */
  async function fill(): Promise<void> {
    if (filling || loading.value || !loaded.value) return;
    filling = true;
    const own = generation;
    const signal = controller?.signal;
    try {
      for (let missing = firstMissing(); missing !== null; missing = firstMissing()) {
        const filled = await loadPageAt(missing, wanted?.end ?? missing + PAGE_MIN, signal);
        if (own !== generation) return;
        // The library changed under the buckets (an upload from another device): start over.
        if (!filled) {
          if (Date.now() - lastAutoReload > AUTO_RELOAD_MS) {
            lastAutoReload = Date.now();
            void load();
          }
          return;
        }
      }
    } catch (error) {
      if (signal?.aborted !== true) problem.value = messageOf(error, 'Shoebox could not load your library.');
    } finally {
      filling = false;
      // A reload started meanwhile: fill its fresh slots.
      if (own !== generation) void fill();
    }
  }

  /**
   * Loads every asset in [start, end) (selecting a whole day, or everything), a page at a time,
   * and answers their ids in timeline order. Throws with a sentence when a page cannot be loaded or
   * the library changes meanwhile.
   */
  async function loadRange(start: number, end: number): Promise<string[]> {
    while (reloading !== null) await reloading;
    const own = generation;
    const signal = controller?.signal;
    const stop = Math.min(end, slots.value.length);
    for (let i = Math.max(0, start); i < stop; i++) {
      if (slots.value[i] !== undefined) continue;
      if (!(await loadPageAt(i, stop, signal)) || own !== generation) {
        throw new Error('Your library changed meanwhile. Try again.');
      }
    }
    return slots.value
      .slice(Math.max(0, start), stop)
      .flatMap((asset) => (asset === undefined ? [] : [asset.id]));
  }

  function indexOf(id: string): number {
    return slots.value.findIndex((asset) => asset?.id === id);
  }

  /**
   * The timeline index of asset `id` however far down it is (a /library/:id link), loading the
   * pages of its capture day; null when it is not in the caller's library (unknown, someone
   * else's, or in the trash). Answers once the buckets are loaded.
   */
  /**
   * Finds an asset's timeline index, loading the pages of its capture day if need be; null when it
   * is not in the library. A reload meanwhile (a drain ending, say) replaces the days and slots it
   * was reading, so it then starts over on the new ones instead of calling the asset missing.
   */
  async function locate(id: string): Promise<number | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      while (reloading !== null) await reloading;
      const own = generation;
      const found = await locateOnce(id);
      if (own === generation && reloading === null) return found;
    }
    return locateOnce(id);
  }

  async function locateOnce(id: string): Promise<number | null> {
    const known = indexOf(id);
    if (known >= 0) return known;
    let details: Asset;
    try {
      details = await api.getAssetDetails(id);
    } catch (error) {
      // 404: unknown or someone else's; 400: not even the shape of an id.
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return null;
      throw error;
    }
    if (details.deletedAt !== null) return null;
    const day = details.capturedAt.slice(0, 10);
    let start = 0;
    const bucket = days.value.find((candidate) => {
      if (candidate.day === day) return true;
      start += candidate.count;
      return false;
    });
    if (bucket === undefined) return null;
    const own = generation;
    let cursor: string | null = null;
    for (let at = start; at < start + bucket.count;) {
      const page = await api.listAssetPage(
        cursor === null ? { from: day, limit: PAGE_LIMIT_MAX } : { cursor, limit: PAGE_LIMIT_MAX },
      );
      if (own !== generation) return null;
      page.items.forEach((asset, i) => {
        if (at + i < slots.value.length) slots.value[at + i] = asset;
      });
      triggerRef(slots);
      const found = page.items.findIndex((asset) => asset.id === id);
      if (found >= 0) return at + found;
      if (page.nextCursor === null || page.items.length === 0) break;
      at += page.items.length;
      cursorAt.set(at, page.nextCursor);
      cursor = page.nextCursor;
    }
    return null;
  }

  /** Takes assets out of the timeline without reloading it (they went to the trash). */
  function removeLocally(ids: Iterable<string>): void {
    const gone = new Set(ids);
    const target = slots.value;
    const counts = new Map(days.value.map((bucket) => [bucket.day, bucket.count]));
    for (let i = target.length - 1; i >= 0; i--) {
      const asset = target[i];
      if (asset === undefined || !gone.has(asset.id)) continue;
      target.splice(i, 1);
      const day = asset.capturedAt.slice(0, 10);
      counts.set(day, (counts.get(day) ?? 1) - 1);
      cursorAt = new Map([...cursorAt].map(([at, cursor]) => [at > i ? at - 1 : at, cursor]));
    }
    days.value = days.value
      .map((bucket) => ({ day: bucket.day, count: counts.get(bucket.day) ?? 0 }))
      .filter((bucket) => bucket.count > 0);
    triggerRef(slots);
  }

  /** Moves assets to the trash; answers the ids that moved. */
  async function trash(ids: readonly string[]): Promise<string[]> {
    const moved = await api.trashAssets(ids);
    removeLocally(moved);
    return moved;
  }

  /** Brings assets back (undo, or from the Trash view) and reloads the timeline around them. */
  async function restore(ids: readonly string[]): Promise<string[]> {
    const back = await api.restoreAssets(ids);
    if (loaded.value) await load();
    return back;
  }

  /** Asks again about an asset whose preview was still being made. */
  async function refresh(index: number): Promise<void> {
    const asset = slots.value[index];
    if (asset === undefined) return;
    const fresh = await api.getAssetDetails(asset.id);
    if (slots.value[index]?.id !== fresh.id) return;
    slots.value[index] = fresh;
    triggerRef(slots);
  }

  function clear(): void {
    controller?.abort();
    generation++;
    days.value = [];
    slots.value = [];
    cursorAt = new Map();
    wanted = null;
    loaded.value = false;
    problem.value = null;
  }

  return {
    days,
    slots,
    total,
    loading,
    loaded,
    problem,
    load,
    ensureRange,
    loadRange,
    indexOf,
    locate,
    trash,
    restore,
    refresh,
    removeLocally,
    clear,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useLibraryStore, import.meta.hot));
