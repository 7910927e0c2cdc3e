import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import type { Asset, AssetPage } from '../../shared/api';
import * as api from '../api';

/** The signed-in user's backed-up assets, newest capture first, as the server pages them. */
export const useLibraryStore = defineStore('library', () => {
  const assets = ref<Asset[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  /** Why the library could not be loaded, as a sentence. */
  const problem = ref<string | null>(null);
  let controller: AbortController | null = null;

  /** Loads every page, following the cursors; a new call replaces one in progress. */
  async function load(): Promise<void> {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    loading.value = true;
    try {
      const all: Asset[] = [];
      let cursor: string | null = null;
      do {
        const page: AssetPage = await api.listAssets(cursor, own.signal);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      assets.value = all;
      loaded.value = true;
      problem.value = null;
    } catch (error) {
      if (own.signal.aborted) return;
      problem.value = error instanceof Error ? error.message : 'Shoebox could not load your library.';
    } finally {
      if (controller === own) {
        controller = null;
        loading.value = false;
      }
    }
  }

  function clear(): void {
    controller?.abort();
    assets.value = [];
    loaded.value = false;
    problem.value = null;
  }

  return { assets, loading, loaded, problem, load, clear };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useLibraryStore, import.meta.hot));
