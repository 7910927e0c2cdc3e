/**
 * A folder the user asked Shoebox to keep backing up (File System Access API). Its directory
 * handle is kept in IndexedDB, so the folder can be scanned again on every open without asking.
 */
export interface BackupFolder {
  /** crypto.randomUUID() */
  id: string;
  /** The folder's own name, as the handle gives it (no path: the API never reveals one). */
  name: string;
  handle: FileSystemDirectoryHandle;
  /** Epoch ms when the user added it. */
  addedAt: number;
  /** Epoch ms of the last finished scan, or null before the first one. */
  lastScanAt: number | null;
  /** Photos and videos the last finished scan found in the folder. */
  lastFound: number | null;
  /** Of those, how many were new and went into the queue. */
  lastQueued: number | null;
  /** Why the last scan could not finish, as a sentence; null when it did. */
  lastError: string | null;
  /** The album its photos go into (kept "as an album", issue 16); absent for most folders. */
  albumId?: string;
}

/**
 * A file of a folder that a scan has already seen, in the `folderFiles` store keyed by
 * `[folderId, path]`. Kept in a store of its own rather than inside the folder record: a folder
 * of 20,000 photos would otherwise make every read of the folder list (Settings, the Backup
 * screen) and every scan's write carry the whole index; here a scan reads one key range and
 * writes only what changed.
 */
export interface SeenFile {
  folderId: string;
  /** Path inside the folder, with '/' between names, e.g. "2024/IMG_0001.jpg". */
  path: string;
  size: number;
  /** File.lastModified, epoch ms. */
  lastModified: number;
  /**
   * SHA-256 (hex) of the file's bytes when known: hashed during a scan to recognise a renamed or
   * copied file, or taken from the queue item once the prepare step has hashed it.
   */
  sourceSha256: string | null;
  /** The queue item the file went into, whose sourceSha256 fills the one above; null for copies. */
  itemId: string | null;
}
