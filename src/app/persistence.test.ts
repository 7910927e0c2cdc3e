import { describe, expect, it } from 'vitest';
import type { PersistenceRequest } from '../queue/schema';
import { requestPersistenceOnce, type PersistableStorage, type PersistenceSettings } from './persistence';

/** The settings store as a Map, like the IndexedDB one across page loads. */
function memorySettings(): PersistenceSettings & { stored: Map<string, PersistenceRequest> } {
  const stored = new Map<string, PersistenceRequest>();
  return {
    stored,
    getSetting: (key) => Promise.resolve(stored.get(key)),
    setSetting: (key, value) => {
      stored.set(key, value);
      return Promise.resolve();
    },
  };
}

function storage(answer: boolean | Error, persisted = false): PersistableStorage & { asked: number } {
  const fake = {
    asked: 0,
    persisted: () => Promise.resolve(persisted),
    persist: () => {
      fake.asked += 1;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return fake;
}

describe('requestPersistenceOnce', () => {
  it('asks on the first add and never again on this device, granted or not', async () => {
    for (const answer of [true, false]) {
      const settings = memorySettings();
      const browser = storage(answer);
      expect(await requestPersistenceOnce(settings, browser, () => 1_000)).toEqual({
        requestedAt: 1_000,
        granted: answer,
      });
      expect(await requestPersistenceOnce(settings, browser)).toBeNull();
      expect(await requestPersistenceOnce(settings, storage(true))).toBeNull();
      expect(browser.asked).toBe(1);
      expect(settings.stored.get('persistence')).toEqual({ requestedAt: 1_000, granted: answer });
    }
  });

  it('takes a rejection as a denial: recorded, not thrown, not asked again', async () => {
    const settings = memorySettings();
    const browser = storage(new DOMException('Not allowed.', 'InvalidStateError'));
    expect(await requestPersistenceOnce(settings, browser, () => 5)).toEqual({
      requestedAt: 5,
      granted: false,
    });
    expect(await requestPersistenceOnce(settings, browser)).toBeNull();
    expect(browser.asked).toBe(1);
  });

  it('does not ask when the storage is persistent already', async () => {
    const settings = memorySettings();
    const browser = storage(false, true);
    expect(await requestPersistenceOnce(settings, browser, () => 7)).toEqual({
      requestedAt: 7,
      granted: true,
    });
    expect(browser.asked).toBe(0);
  });

  it('does nothing where the browser has no persist()', async () => {
    const settings = memorySettings();
    expect(await requestPersistenceOnce(settings, undefined)).toBeNull();
    expect(await requestPersistenceOnce(settings, {} as PersistableStorage)).toBeNull();
    expect(settings.stored.size).toBe(0);
  });
});
