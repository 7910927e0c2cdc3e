import { watch } from 'vue';
import { useQueueStore } from '../stores/queue';
import { useSessionStore } from '../stores/session';
import { useEventListener } from './useEventListener';

/**
 * Starts the page's drain whenever backup may make progress (DESIGN §4): when the app opens or a
 * user signs in, when the connection comes back, and when the page becomes visible again. This
 * is the whole path where Background Sync does not exist (Firefox, Safari).
 */
export function useBackupTriggers(): void {
  const session = useSessionStore();
  const queue = useQueueStore();

  /**
   * Signed in, or not known because the server is unreachable: then the drain still prepares
   * files offline, and a 401 later blocks the items with "Sign in to continue backup".
   */
  function drainIfSignedIn(): void {
    if (session.status === 'unreachable') {
      // Asking again; when the session comes back, the watch below starts the drain.
      void session.ensureLoaded();
      void queue.drainNow();
    } else if (session.signedIn) {
      void queue.drainNow();
    }
  }

  watch(
    () => session.signedIn,
    (signedIn) => {
      // Signing in (or opening the app signed in) also releases items an expired session blocked.
      if (signedIn) void queue.resumeAfterSignIn();
      else if (session.status === 'ready') void queue.stopDrain();
    },
    { immediate: true },
  );
  watch(
    () => session.status,
    (status) => {
      if (status === 'unreachable') void queue.drainNow();
    },
    { immediate: true },
  );
  useEventListener(window, 'online', drainIfSignedIn);
  useEventListener(document, 'visibilitychange', () => {
    if (document.visibilityState === 'visible') drainIfSignedIn();
  });
}
