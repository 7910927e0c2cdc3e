import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BACKUP_COMPLETE_TAG,
  BACKUP_COMPLETE_TITLE,
  backedUpCounter,
  notifyIfBackupComplete,
  shouldNotifyComplete,
} from './completion';
import type { QueueItem } from './item';
import { QueueDb } from './queueDb';
import { queued } from './transitions';

const HASH = 'b'.repeat(64);

let queue: QueueDb;
const shown: { title: string; options: NotificationOptions | undefined }[] = [];
const registration = {
  showNotification: (title: string, options?: NotificationOptions) => {
    shown.push({ title, options });
    return Promise.resolve();
  },
} as unknown as ServiceWorkerRegistration;

beforeEach(async () => {
  shown.length = 0;
  queue = await QueueDb.open({ name: `completion-${crypto.randomUUID()}`, notify: () => undefined });
  vi.stubGlobal('Notification', { permission: 'granted' });
});

afterEach(() => {
  queue.close();
  vi.unstubAllGlobals();
});

async function doneItem(name: string): Promise<QueueItem> {
  const [item] = await queue.addFiles([new File(['x'], name, { type: 'image/jpeg' })]);
  if (item === undefined) throw new Error('not added');
  await queue.markPreparing(item.id);
  await queue.markReady(item.id, { type: 'image/jpeg', sourceSha256: HASH, sha256: HASH, capturedAt: null });
  return queue.markDone(item.id, { assetId: 'asset-1', outcome: 'created' });
}

describe('shouldNotifyComplete', () => {
  const facts = { backedUp: 2, pending: 0, permission: 'granted', enabled: true } as const;
  it('needs the setting, the permission, something backed up and nothing left', () => {
    expect(shouldNotifyComplete(facts)).toBe(true);
    expect(shouldNotifyComplete({ ...facts, enabled: false })).toBe(false);
    expect(shouldNotifyComplete({ ...facts, permission: 'default' })).toBe(false);
    expect(shouldNotifyComplete({ ...facts, permission: 'unsupported' })).toBe(false);
    expect(shouldNotifyComplete({ ...facts, backedUp: 0 })).toBe(false);
    expect(shouldNotifyComplete({ ...facts, pending: 1 })).toBe(false);
  });
});

describe('notifyIfBackupComplete', () => {
  it('counts each item that reached done once', async () => {
    const counter = backedUpCounter();
    const item = await doneItem('a.jpg');
    counter.onItem(item);
    counter.onItem(item);
    counter.onItem(
      queued({ name: 'b.jpg', size: 1, type: '', lastModified: 0 }, { id: 'other', addedAt: 1, owner: null }),
    );
    expect(counter.count()).toBe(1);
  });

  it('shows one tagged notification when the setting is on and the queue is empty', async () => {
    await doneItem('a.jpg');
    expect(await notifyIfBackupComplete(registration, queue, 1)).toBe(false);
    await queue.setSetting('backup', { notifyComplete: true });
    expect(await notifyIfBackupComplete(registration, queue, 1)).toBe(true);
    expect(shown).toEqual([
      {
        title: BACKUP_COMPLETE_TITLE,
        options: expect.objectContaining({
          tag: BACKUP_COMPLETE_TAG,
          body: '1 photo or video was backed up to your server.',
        }) as unknown,
      },
    ]);
  });

  it('stays silent while items are pending or without the permission', async () => {
    await queue.setSetting('backup', { notifyComplete: true });
    await doneItem('a.jpg');
    await queue.addFiles([new File(['y'], 'b.jpg', { type: 'image/jpeg' })]);
    expect(await notifyIfBackupComplete(registration, queue, 1)).toBe(false);
    vi.stubGlobal('Notification', { permission: 'denied' });
    await queue.clearCompleted();
    expect(await notifyIfBackupComplete(registration, queue, 1)).toBe(false);
    expect(shown).toEqual([]);
  });
});
