import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import type { StorageUsage } from '../../shared/api';
import { getStorage } from '../accountApi';

/** What the signed-in account stores on the server (Settings, and Backup's empty-account card). */
export const useAccountStore = defineStore('account', () => {
  const storage = ref<StorageUsage | null>(null);
  /** Why the server could not say, as a sentence. */
  const problem = ref<string | null>(null);
  let loading: Promise<void> | null = null;

  /** Asks the server again; callers that ask while a request runs share it. */
  function loadStorage(): Promise<void> {
    loading ??= (async () => {
      try {
        storage.value = await getStorage();
        problem.value = null;
      } catch (error) {
        problem.value = error instanceof Error ? error.message : 'Shoebox could not ask the server.';
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  /** Signing out: the next account's numbers are its own. */
  function clear(): void {
    storage.value = null;
    problem.value = null;
  }

  return { storage, problem, loadStorage, clear };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useAccountStore, import.meta.hot));
