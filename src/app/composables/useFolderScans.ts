import { watch } from 'vue';
import { useSessionStore } from '../stores/session';

/**
 * Rescans every folder to back up when the app opens, once per page load and only once signed
 * in: files are queued under the signed-in account, and a signed-out page has none. Folders exist
 * only where the File System Access API does, so elsewhere nothing is loaded; where it does, the
 * folders store (with its scanner and hashing) is loaded on demand rather than with the app shell.
 */
export function useFolderScans(): void {
  const session = useSessionStore();
  watch(
    () => session.signedIn,
    async (signedIn) => {
      if (!signedIn || !('showDirectoryPicker' in window)) return;
      const { useFoldersStore } = await import('../stores/folders');
      await useFoldersStore().scanOnOpen();
    },
    { immediate: true },
  );
}
