import type { QueueItem } from './item';
import type { QueueDb } from './queueDb';
import { withDefaults } from './settings';

/** The notification's title, as on the status card (DESIGN §1, state 7). */
export const BACKUP_COMPLETE_TITLE = 'Backup complete';

/** One tag for every such notification, so a new one replaces the last instead of piling up. */
export const BACKUP_COMPLETE_TAG = 'shoebox-backup-complete';

/** Counts the items a drain backs up; pass `onItem` to drain(). */
export function backedUpCounter(): { onItem: (item: QueueItem) => void; count: () => number } {
  const done = new Set<string>();
  return {
    onItem: (item) => {
      if (item.state === 'done') done.add(item.id);
    },
    count: () => done.size,
  };
}

export interface CompletionFacts {
  /** Items the drain that just ended backed up. */
  backedUp: number;
  /** Items still waiting (queued, preparing, ready, uploading, failed). */
  pending: number;
  /** Notification.permission, or 'unsupported' where the API is missing. */
  permission: NotificationPermission | 'unsupported';
  /** The user's "Notify me when backup is complete" setting. */
  enabled: boolean;
}

/** Only a drain that backed something up and left nothing behind, with the user's leave twice over. */
export function shouldNotifyComplete(facts: CompletionFacts): boolean {
  return facts.enabled && facts.permission === 'granted' && facts.backedUp > 0 && facts.pending === 0;
}

function permission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Shows "Backup complete" through the service worker registration (from the worker itself or a
 * page), if the drain that just ended backed up `backedUp` items and nothing is pending. Returns
 * whether it was shown.
 */
export async function notifyIfBackupComplete(
  registration: ServiceWorkerRegistration,
  queue: QueueDb,
  backedUp: number,
): Promise<boolean> {
  if (backedUp === 0) return false;
  const settings = withDefaults(await queue.getSetting('backup'));
  const pending = await queue.pendingCount();
  if (
    !shouldNotifyComplete({ backedUp, pending, permission: permission(), enabled: settings.notifyComplete })
  ) {
    return false;
  }
  try {
    await registration.showNotification(BACKUP_COMPLETE_TITLE, {
      tag: BACKUP_COMPLETE_TAG,
      body:
        backedUp === 1
          ? '1 photo or video was backed up to your server.'
          : `${backedUp.toLocaleString('en')} photos and videos were backed up to your server.`,
      icon: '/icon-192.png',
    });
    return true;
  } catch (error) {
    // The permission was revoked in the meantime, or the platform refused: the backup itself is
    // done and must not be reported as failed for it.
    console.warn('Shoebox could not show the "Backup complete" notification.', error);
    return false;
  }
}
