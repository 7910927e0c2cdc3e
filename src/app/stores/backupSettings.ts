import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { QueueDb } from '../../queue/queueDb';
import {
  DEFAULT_BACKUP_SETTINGS,
  connectionType as readConnectionType,
  withDefaults,
} from '../../queue/settings';
import type { BackupSettings, DeviceConditions } from '../../queue/settings';

/** The part of the Battery Status API Shoebox reads (https://w3c.github.io/battery/). */
interface BatteryLike extends EventTarget {
  charging: boolean;
}

interface NetworkInformationLike extends EventTarget {
  type?: string;
}

function networkInformation(): NetworkInformationLike | null {
  const connection = (navigator as Navigator & { connection?: NetworkInformationLike }).connection;
  return connection ?? null;
}

/**
 * The backup settings (stored in IndexedDB, shared with the service worker) and what this browser
 * can tell about the network and the battery for "Wi-Fi only" and "only while charging".
 */
export const useBackupSettingsStore = defineStore('backupSettings', () => {
  const settings = ref<BackupSettings>({ ...DEFAULT_BACKUP_SETTINGS });
  const loaded = ref(false);
  const problem = ref<string | null>(null);
  /** navigator.connection.type; null where the Network Information API is missing (Firefox, Safari). */
  const connectionType = ref<string | null>(null);
  /** Whether the device is charging; null where the Battery Status API is missing (Firefox, Safari). */
  const charging = ref<boolean | null>(null);
  const canTellNetwork = computed(() => connectionType.value !== null);
  const canTellCharging = computed(() => charging.value !== null);

  let db: Promise<QueueDb> | null = null;
  let watching = false;
  const open = (): Promise<QueueDb> => (db ??= QueueDb.open());

  let loading: Promise<void> | null = null;
  /**
   * Reads the settings from IndexedDB. Screens and the backup triggers each ask when they start
   * (Backup before the triggers, which wait for an idle moment): calls made while a read is under
   * way share it.
   */
  function load(): Promise<void> {
    loading ??= read().finally(() => (loading = null));
    return loading;
  }

  async function read(): Promise<void> {
    try {
      settings.value = withDefaults(await (await open()).getSetting('backup'));
      loaded.value = true;
    } catch (error) {
      problem.value =
        error instanceof Error ? error.message : 'Shoebox could not read its settings on this device.';
    }
  }

  async function update(patch: Partial<BackupSettings>): Promise<void> {
    const next = { ...settings.value, ...patch };
    settings.value = next;
    try {
      await (await open()).setSetting('backup', next);
      problem.value = null;
    } catch (error) {
      problem.value = error instanceof Error ? error.message : 'Shoebox could not save this setting.';
    }
  }

  /** Saves what this page sees for the service worker, which has no Battery API. */
  async function saveReading(): Promise<void> {
    try {
      await (
        await open()
      ).setSetting('device', {
        charging: charging.value,
        connectionType: connectionType.value,
        at: Date.now(),
      });
    } catch (error) {
      problem.value = error instanceof Error ? error.message : 'Shoebox could not save the device state.';
    }
  }

  /** Starts following the network type and the battery; `onChange` runs after each change. */
  async function watchDevice(onChange: () => void): Promise<void> {
    if (watching) return;
    watching = true;
    const connection = networkInformation();
    connectionType.value = readConnectionType();
    connection?.addEventListener('change', () => {
      connectionType.value = readConnectionType();
      void saveReading().then(onChange);
    });
    const getBattery = (navigator as Navigator & { getBattery?: () => Promise<BatteryLike> }).getBattery;
    if (typeof getBattery === 'function') {
      try {
        const battery = await getBattery.call(navigator);
        charging.value = battery.charging;
        battery.addEventListener('chargingchange', () => {
          charging.value = battery.charging;
          void saveReading().then(onChange);
        });
      } catch {
        // Refused (a permissions policy forbids "battery"): the browser cannot tell, which never blocks backup.
        charging.value = null;
      }
    }
    await saveReading();
  }

  /** For the drain: the page's own, live reading. */
  function device(): Omit<DeviceConditions, 'online'> {
    return { connectionType: connectionType.value, charging: charging.value };
  }

  return {
    settings,
    loaded,
    problem,
    connectionType,
    charging,
    canTellNetwork,
    canTellCharging,
    load,
    update,
    watchDevice,
    device,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useBackupSettingsStore, import.meta.hot));
