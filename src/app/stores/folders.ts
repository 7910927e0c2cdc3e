import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { BackupFolder } from '../../queue/folder';
import { directoryPicker, readPermission, requestReadPermission } from '../folders/fileSystemAccess';
import { FolderDb } from '../folders/folderDb';
import { scanProgressLabel } from '../folders/labels';
import { scanFolder } from '../folders/scan';
import type { ScanResult } from '../folders/scan';
import { useQueueStore } from './queue';

/** The Web Lock a scan holds: one scan at a time across tabs, so two tabs never queue the same file. */
export const FOLDER_SCAN_LOCK = 'shoebox-folder-scan';

function withScanLock<T>(task: () => Promise<T>): Promise<T> {
  return 'locks' in navigator ? navigator.locks.request(FOLDER_SCAN_LOCK, task) : task();
}

function sentence(error: unknown, fallback: string): string {
  return error instanceof Error && error.message !== '' ? error.message : fallback;
}

/**
 * Folders to back up (File System Access API): kept in IndexedDB with their directory handles,
 * scanned on every open of the app and on "Scan now", queueing only files not seen before.
 */
export const useFoldersStore = defineStore('folders', () => {
  /**
   * Every folder, in the order added. Shallow, and each record raw: a directory handle behind a
   * Vue proxy can neither be stored in IndexedDB nor have its methods called.
   */
  const folders = shallowRef<BackupFolder[]>([]);
  const loaded = ref(false);
  /** Whether Shoebox may read each folder now, by id; a folder without 'granted' needs "Allow access again". */
  const permissions = ref<Record<string, PermissionState>>({});
  /** The folder being scanned and how far it got ("Scanning Camera… 340 files"). */
  const scanning = ref<{ id: string; label: string } | null>(null);
  /** What the last scan in this page found in each folder, by id, beyond the folder's record. */
  const results = ref<Record<string, ScanResult>>({});
  /** The last failed action on folders, as a sentence. */
  const problem = ref<string | null>(null);

  /** Where folders can be added: the directory picker exists (Chromium on desktop). */
  const supported = computed(() => directoryPicker(window) !== null);

  let folderDb: Promise<FolderDb> | null = null;
  let scans: Promise<unknown> = Promise.resolve();
  let scannedOnOpen = false;

  function open(): Promise<FolderDb> {
    folderDb ??= FolderDb.open();
    return folderDb;
  }

  function replace(folder: BackupFolder): void {
    folders.value = folders.value.map((each) => (each.id === folder.id ? markRaw(folder) : each));
  }

  async function refreshPermission(folder: BackupFolder): Promise<PermissionState> {
    const state = await readPermission(folder.handle);
    permissions.value = { ...permissions.value, [folder.id]: state };
    return state;
  }

  async function load(): Promise<void> {
    try {
      const list = (await (await open()).list()).map((folder) => markRaw(folder));
      folders.value = list;
      await Promise.all(list.map(refreshPermission));
      loaded.value = true;
    } catch (error) {
      problem.value = sentence(error, 'Shoebox could not read the folders to back up on this device.');
    }
  }

  /** Scans one folder after any scan already running; the record is read afresh (another tab may have scanned). */
  function scan(id: string): Promise<ScanResult | null> {
    const run = scans.then(() =>
      withScanLock(async () => {
        const db = await open();
        const folder = await db.get(id);
        if (folder === undefined) return null;
        const queue = useQueueStore();
        scanning.value = { id, label: `Scanning ${folder.name}…` };
        try {
          const result = await scanFolder(folder, {
            db,
            queueFiles: (files) =>
              queue.addFiles(files, folder.albumId === undefined ? {} : { albumId: folder.albumId }),
            // Hashing (hash-wasm) loads with the first file to hash, not with the store, which
            // Backup and Library load as they open (issue 5: its chunk ran during their load).
            hash: async (file) => (await import('../../media/hash')).sha256OfBlob(file),
            onProgress: (progress) => {
              scanning.value = { id, label: scanProgressLabel(folder.name, progress) };
            },
          });
          results.value = { ...results.value, [id]: result };
          const saved = await db.get(id);
          if (saved !== undefined) replace(saved);
          permissions.value = {
            ...permissions.value,
            [id]: result.status === 'needs-permission' ? 'prompt' : 'granted',
          };
          return result;
        } finally {
          scanning.value = null;
        }
      }),
    );
    scans = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      problem.value = sentence(error, 'Shoebox could not scan this folder.');
      return null;
    });
  }

  async function scanAll(): Promise<void> {
    if (!loaded.value) await load();
    for (const folder of folders.value) await scan(folder.id);
  }

  /** The scan every open of the app makes (once per page load, once signed in). */
  async function scanOnOpen(): Promise<void> {
    if (scannedOnOpen) return;
    scannedOnOpen = true;
    await scanAll();
  }

  /**
   * "Keep a folder backed up", first half: the browser's folder picker (it needs the click that
   * called it). Null when the user closed it, or it failed (`problem` says why).
   */
  async function pick(): Promise<FileSystemDirectoryHandle | null> {
    const picker = directoryPicker(window);
    if (picker === null) return null;
    try {
      return await picker({ id: 'shoebox-backup-folder', mode: 'read' });
    } catch (error) {
      // The user closed the picker: nothing to do, and nothing went wrong.
      if (!(error instanceof DOMException && error.name === 'AbortError')) {
        problem.value = sentence(error, 'Shoebox could not open this folder.');
      }
      return null;
    }
  }

  /** The second half: keeps the folder picked (its photos going into `albumId`, if given), then a first scan. */
  async function keep(handle: FileSystemDirectoryHandle, albumId: string | null = null): Promise<void> {
    let id: string;
    try {
      const db = await open();
      if (!loaded.value) await load();
      const known = await findFolder(handle);
      if (known !== null) {
        problem.value = `Shoebox already backs up ${known.name}; it was scanned again.`;
        id = known.id;
      } else {
        const folder = markRaw(await db.add(handle, Date.now(), albumId));
        folders.value = [...folders.value, folder];
        permissions.value = { ...permissions.value, [folder.id]: 'granted' };
        problem.value = null;
        id = folder.id;
      }
    } catch (error) {
      problem.value = sentence(error, 'Shoebox could not keep this folder on this device.');
      return;
    }
    await scan(id);
  }

  async function findFolder(handle: FileSystemDirectoryHandle): Promise<BackupFolder | null> {
    for (const folder of folders.value) if (await folder.handle.isSameEntry(handle)) return folder;
    return null;
  }

  /** "Allow access again": asks the browser (this needs the click that called it), then scans. */
  async function allowAgain(id: string): Promise<void> {
    const folder = folders.value.find((each) => each.id === id);
    if (folder === undefined) return;
    try {
      const state = await requestReadPermission(folder.handle);
      permissions.value = { ...permissions.value, [id]: state };
      if (state !== 'granted') {
        problem.value = `Shoebox can't back up ${folder.name} until you allow it to read the folder.`;
        return;
      }
      problem.value = null;
    } catch (error) {
      problem.value = sentence(error, 'Shoebox could not ask for access to this folder.');
      return;
    }
    await scan(id);
  }

  /** "Stop backing up this folder": forgets it; what it already queued or backed up stays. */
  async function remove(id: string): Promise<void> {
    try {
      await (await open()).remove(id);
      folders.value = folders.value.filter((folder) => folder.id !== id);
      const { [id]: _result, ...otherResults } = results.value;
      results.value = otherResults;
      problem.value = null;
    } catch (error) {
      problem.value = sentence(error, 'Shoebox could not stop backing up this folder.');
    }
  }

  return {
    folders,
    loaded,
    permissions,
    scanning,
    results,
    problem,
    supported,
    load,
    scan,
    scanAll,
    scanOnOpen,
    pick,
    keep,
    allowAgain,
    remove,
    refreshPermission,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useFoldersStore, import.meta.hot));
