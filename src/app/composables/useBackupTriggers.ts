import { watch } from 'vue';
import type { DrainRequestMessage } from '../../queue/backgroundSync';
import { useBackupSettingsStore } from '../stores/backupSettings';
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
  const settings = useBackupSettingsStore();

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
  // The settings decide whether a drain may upload; the network type and the battery whether it
  // must wait. A change of either may release items (or stop the drain: backup turned off).
  void (settings.loaded ? Promise.resolve() : settings.load()).then(() =>
    settings.watchDevice(drainIfSignedIn),
  );
  watch(
    () => settings.settings,
    (now, before) => {
      if (!settings.loaded || now === before) return;
      if (now.enabled) drainIfSignedIn();
      else void queue.stopDrain();
    },
  );
  useEventListener(window, 'online', drainIfSignedIn);
  // The tab is closing: the service worker carries on (within its event's lifetime) with what is
  // left. Offline it could do nothing; the Background Sync registered on enqueue covers that.
  useEventListener(window, 'pagehide', () => {
    if (queue.pendingCount === 0 || !navigator.onLine) return;
    navigator.serviceWorker?.controller?.postMessage({ type: 'DRAIN' } satisfies DrainRequestMessage);
  });
  useEventListener(document, 'visibilitychange', () => {
    if (document.visibilityState === 'visible') drainIfSignedIn();
  });
}
