/**
 * The backup settings (DESIGN §1 Settings) and the conditions they put on uploading. Stored in the
 * IndexedDB `settings` store so the page and the service worker read the same values.
 */

export type Quality = 'saver' | 'original';

export interface BackupSettings {
  /** "Back up & sync". */
  enabled: boolean;
  /** Storage saver (photos over 16 MP resized, recompressed) or the file as picked. */
  quality: Quality;
  /** Upload only on Wi-Fi (or Ethernet). */
  wifiOnly: boolean;
  /** Upload only while charging. */
  chargingOnly: boolean;
  /** Show a "Backup complete" notification when a drain empties the queue (needs the permission too). */
  notifyComplete: boolean;
}

/**
 * Original quality by default: Shoebox uploads to a server the user owns, so there is no cloud
 * quota to save, and a backup that keeps the bytes as picked loses nothing. (Google Photos asks at
 * setup; Storage saver is one click away in Settings.)
 */
export const DEFAULT_BACKUP_SETTINGS: BackupSettings = {
  enabled: true,
  quality: 'original',
  wifiOnly: false,
  chargingOnly: false,
  notifyComplete: false,
};

/** Fills in what an older record lacks. */
export function withDefaults(stored: Partial<BackupSettings> | undefined): BackupSettings {
  return { ...DEFAULT_BACKUP_SETTINGS, ...stored };
}

/**
 * What a page last read of the device, for the service worker: the Battery Status API exists in
 * pages only (https://w3c.github.io/battery/#the-navigator-interface is [Exposed=Window]), and a
 * page's view of the connection is the one DevTools emulation and the user see. null = the
 * browser cannot tell.
 */
export interface DeviceReading {
  charging: boolean | null;
  connectionType: string | null;
  /** Epoch ms of the reading. */
  at: number;
}

/** A page's reading older than this is not trusted: the charger or the network may have changed since. */
export const DEVICE_READING_MAX_AGE_MS = 10 * 60_000;

/** What the device can tell about the network and power; null where the browser cannot tell. */
export interface DeviceConditions {
  online: boolean;
  /** NetworkInformation.type (https://wicg.github.io/netinfo/#type-attribute); null where absent. */
  connectionType: string | null;
  charging: boolean | null;
}

/** Why uploading waits, in the priority order of the status card (DESIGN §1). */
export type Hold = 'disabled' | 'offline' | 'wifi' | 'charging';

/** Connection types on which "Wi-Fi only" uploads; 'unknown'/'other'/absent count as met (DESIGN §1). */
const METERED_TYPES = new Set(['cellular', 'bluetooth', 'wimax']);

/** The first condition that holds uploading back, or null when uploading may go on. */
export function holdOf(settings: BackupSettings, device: DeviceConditions): Hold | null {
  if (!settings.enabled) return 'disabled';
  if (!device.online) return 'offline';
  if (settings.wifiOnly && device.connectionType !== null && METERED_TYPES.has(device.connectionType)) {
    return 'wifi';
  }
  if (settings.chargingOnly && device.charging === false) return 'charging';
  return null;
}

interface NetworkInformationLike {
  type?: string;
}

/** navigator.connection.type where the Network Information API exists (Chromium, also in workers). */
export function connectionType(): string | null {
  if (typeof navigator === 'undefined') return null;
  const connection = (navigator as typeof navigator & { connection?: NetworkInformationLike }).connection;
  return typeof connection?.type === 'string' ? connection.type : null;
}

/**
 * The service worker's view: its own connection type, unless a page's recent reading says the
 * connection is metered (then Wi-Fi only holds, erring on the side of the user's data plan); the
 * charging state a page saved, if recent enough to trust.
 */
export function deviceFrom(
  reading: DeviceReading | undefined,
  own: string | null,
  now: number,
): Omit<DeviceConditions, 'online'> {
  const recent = reading !== undefined && now - reading.at <= DEVICE_READING_MAX_AGE_MS ? reading : null;
  const pageType = recent?.connectionType ?? null;
  return {
    connectionType: pageType !== null && METERED_TYPES.has(pageType) ? pageType : (own ?? pageType),
    charging: recent?.charging ?? null,
  };
}
