import 'fake-indexeddb/auto';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueDb } from '../../queue/queueDb';
import { useBackupSettingsStore } from './backupSettings';

beforeEach(() => {
  vi.stubGlobal('indexedDB', new IDBFactory());
  setActivePinia(createPinia());
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('backup settings store', () => {
  it('shares one read between callers that ask while it runs, and reads again afterwards', async () => {
    const db = await QueueDb.open();
    await db.setSetting('backup', { enabled: true, wifiOnly: true });
    const reads = vi.spyOn(QueueDb.prototype, 'getSetting');
    const settings = useBackupSettingsStore();

    await Promise.all([settings.load(), settings.load()]);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(settings.loaded).toBe(true);
    expect(settings.settings.wifiOnly).toBe(true);

    await settings.load();
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
