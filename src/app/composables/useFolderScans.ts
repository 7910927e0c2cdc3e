import { watch } from 'vue';
import { useFoldersStore } from '../stores/folders';
import { useSessionStore } from '../stores/session';

/**
 * Rescans every folder to back up when the app opens, once per page load and only once signed
 * in: files are queued under the signed-in account, and a signed-out page has none.
 */
export function useFolderScans(): void {
  const session = useSessionStore();
  const folders = useFoldersStore();
  watch(
    () => session.signedIn,
    (signedIn) => {
      if (signedIn) void folders.scanOnOpen();
    },
    { immediate: true },
  );
}
