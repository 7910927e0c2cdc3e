import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BACKUP_SETTINGS,
  DEVICE_READING_MAX_AGE_MS,
  deviceFrom,
  holdOf,
  withDefaults,
} from './settings';

const device = { online: true, connectionType: null, charging: null };

describe('holdOf', () => {
  it('follows the priority of the status card', () => {
    const all = {
      enabled: false,
      quality: 'original',
      wifiOnly: true,
      chargingOnly: true,
      notifyComplete: false,
    } as const;
    const worst = { online: false, connectionType: 'cellular', charging: false };
    expect(holdOf(all, worst)).toBe('disabled');
    expect(holdOf({ ...all, enabled: true }, worst)).toBe('offline');
    expect(holdOf({ ...all, enabled: true }, { ...worst, online: true })).toBe('wifi');
    expect(holdOf({ ...all, enabled: true }, { ...worst, online: true, connectionType: 'wifi' })).toBe(
      'charging',
    );
  });

  it('never holds backup on what the browser cannot tell', () => {
    const strict = { ...DEFAULT_BACKUP_SETTINGS, wifiOnly: true, chargingOnly: true };
    expect(holdOf(strict, device)).toBeNull();
    expect(holdOf(strict, { ...device, connectionType: 'unknown' })).toBeNull();
  });

  it('fills in defaults for settings never saved', () => {
    expect(withDefaults(undefined)).toEqual(DEFAULT_BACKUP_SETTINGS);
    expect(withDefaults({ wifiOnly: true }).wifiOnly).toBe(true);
  });

  it('turns the completion notification off for a record stored before it existed', () => {
    const older = { enabled: true, quality: 'saver', wifiOnly: false, chargingOnly: true } as const;
    expect(withDefaults(older)).toEqual({ ...older, notifyComplete: false });
    expect(withDefaults({ ...older, notifyComplete: true }).notifyComplete).toBe(true);
  });
});

describe('deviceFrom (the service worker’s view)', () => {
  it("trusts a page's recent metered reading over its own, and forgets old readings", () => {
    const reading = { connectionType: 'cellular', charging: false, at: 1_000 };
    expect(deviceFrom(reading, 'wifi', 2_000)).toEqual({ connectionType: 'cellular', charging: false });
    expect(deviceFrom(reading, 'wifi', 1_000 + DEVICE_READING_MAX_AGE_MS + 1)).toEqual({
      connectionType: 'wifi',
      charging: null,
    });
    expect(deviceFrom({ ...reading, connectionType: 'wifi' }, null, 2_000).connectionType).toBe('wifi');
  });
});
