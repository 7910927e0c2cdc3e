import { openDB, unwrap } from 'idb';
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { Limits } from '../shared/limits';
import type { BackupFolder, SeenFile } from './folder';
import type { QueueItem, QueueState, Rank } from './item';
import { fromLegacy, isLegacy } from './legacy';
import type { BackupSettings, DeviceReading } from './settings';

export const DB_NAME = 'shoebox';
export const DB_VERSION = 3;

/** Values of the `settings` store, by key. */
export interface QueueSettings {
  /** The limits last served by GET /api/config, so files can be prepared while offline. */
  limits: Limits;
  /** The user's backup settings; absent until first changed (then DEFAULT_BACKUP_SETTINGS apply). */
  backup: Partial<BackupSettings>;
  /** What a page last read of battery and network, for the service worker (no Battery API there). */
  device: DeviceReading;
  /** That navigator.storage.persist() was asked on this device, once (src/app/persistence.ts). */
  persistence: PersistenceRequest;
}

/** When persistent storage was asked for, and whether the browser granted it. */
export interface PersistenceRequest {
  /** Epoch ms. */
  requestedAt: number;
  granted: boolean;
}

export type SettingKey = keyof QueueSettings;

/** The whole IndexedDB schema of Shoebox; every version's stores are declared here once. */
export interface ShoeboxDB extends DBSchema {
  items: {
    key: string;
    value: QueueItem;
    indexes: {
      'by-state': QueueState;
      'by-addedAt': number;
      /** Upload order within a state (version 3): DESIGN §4's order, the id to break ties. */
      'by-order': OrderKey;
      /** Failed items by when they are due (version 3); no other state has `nextAttemptAt`. */
      'by-due': number;
      /** Items by the account that added them (version 3); shares (no owner) are not in it. */
      'by-owner': string;
    };
  };
  /** Picked files, by the key an item keeps in `blobKey`; records never inline a blob. */
  blobs: {
    key: string;
    value: Blob;
  };
  settings: {
    key: SettingKey;
    value: QueueSettings[SettingKey];
  };
  /** Folders to back up (version 2). */
  folders: {
    key: string;
    value: BackupFolder;
  };
  /** What each folder's scans have already seen, by `[folderId, path]` (version 2). */
  folderFiles: {
    key: [string, string];
    value: SeenFile;
    indexes: { 'by-size': number };
  };
}

/** [state, rank, size, addedAt, id]: photos before videos, small before large, oldest first. */
export type OrderKey = [QueueState, Rank, number, number, string];

export type ShoeboxDatabase = IDBPDatabase<ShoeboxDB>;
export type UpgradeTransaction = IDBPTransaction<ShoeboxDB, StoreNames<ShoeboxDB>[], 'versionchange'>;
export type UpgradeStep = (db: ShoeboxDatabase, transaction: UpgradeTransaction) => void;

/**
 * One step per version: `UPGRADES[n]` takes a database from version n to n + 1. Steps only add
 * stores, indexes or fields (migrating records through `transaction`); they never delete data, so
 * a queue written by any earlier version of the app survives the update.
 */
export const UPGRADES: readonly UpgradeStep[] = [
  function createQueueStores(db) {
    const items = db.createObjectStore('items', { keyPath: 'id' });
    items.createIndex('by-state', 'state');
    items.createIndex('by-addedAt', 'addedAt');
    db.createObjectStore('blobs');
    db.createObjectStore('settings');
  },
  function createFolderStores(db) {
    db.createObjectStore('folders', { keyPath: 'id' });
    // By size: a file new by path, size and date is hashed only when a file of the same size was
    // seen before, which is what a rename or a copy looks like.
    const files = db.createObjectStore('folderFiles', { keyPath: ['folderId', 'path'] });
    files.createIndex('by-size', 'size');
  },
  function indexUploadOrder(_db, transaction) {
    const items = transaction.objectStore('items');
    items.createIndex('by-order', ['state', 'rank', 'size', 'addedAt', 'id']);
    items.createIndex('by-due', 'nextAttemptAt');
    items.createIndex('by-owner', 'owner.id');
    // Every record into the version 3 shape (each state with its own fields only), in this
    // transaction: through the raw cursor, as an upgrade step cannot await between requests.
    const cursorRequest = unwrap(items).openCursor();
    cursorRequest.onsuccess = () => {
      const cursor = cursorRequest.result;
      if (cursor === null) return;
      const record = cursor.value as object;
      if (isLegacy(record)) cursor.update(fromLegacy(record));
      cursor.continue();
    };
  },
];

/** Runs the steps between `oldVersion` and `newVersion` in order. */
export function runUpgrades(
  db: ShoeboxDatabase,
  oldVersion: number,
  newVersion: number,
  transaction: UpgradeTransaction,
  steps: readonly UpgradeStep[] = UPGRADES,
): void {
  for (const upgrade of steps.slice(oldVersion, newVersion)) upgrade(db, transaction);
}

export interface OpenOptions {
  name?: string;
  /** For tests of the upgrade path; the app always opens DB_VERSION. */
  version?: number;
  steps?: readonly UpgradeStep[];
}

export function openShoeboxDb(options: OpenOptions = {}): Promise<ShoeboxDatabase> {
  const { name = DB_NAME, version = DB_VERSION, steps = UPGRADES } = options;
  // Checked before opening: an exception inside `upgrade` would abort it with a vaguer error.
  if (steps.length < version) {
    return Promise.reject(new Error(`No IndexedDB upgrade step from version ${steps.length}.`));
  }
  return openDB<ShoeboxDB>(name, version, {
    upgrade(db, oldVersion, newVersion, transaction) {
      runUpgrades(db, oldVersion, newVersion ?? version, transaction, steps);
    },
    blocking(_currentVersion, _blockedVersion, event) {
      // A newer version of the app (another tab, or the updated service worker) wants to upgrade
      // the schema: let it, instead of blocking it until this page closes. This connection stops
      // working; the newer code is the one that understands the new schema.
      (event.target as IDBDatabase).close();
    },
  });
}
