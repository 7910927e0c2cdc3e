/**
 * The parts of the File System Access API that TypeScript's DOM library leaves out, because they
 * are not (yet) in every browser: the directory picker and the permission methods of a handle.
 * https://wicg.github.io/file-system-access/
 */

export type HandlePermissionMode = 'read' | 'readwrite';

interface PermissionMethods {
  queryPermission?(descriptor: { mode: HandlePermissionMode }): Promise<PermissionState>;
  requestPermission?(descriptor: { mode: HandlePermissionMode }): Promise<PermissionState>;
}

export type DirectoryPicker = (options?: {
  id?: string;
  mode?: HandlePermissionMode;
  startIn?: string;
}) => Promise<FileSystemDirectoryHandle>;

/** `window.showDirectoryPicker` where the browser has it (Chromium on desktop), else null. */
export function directoryPicker(scope: object = globalThis): DirectoryPicker | null {
  const picker = (scope as { showDirectoryPicker?: unknown }).showDirectoryPicker;
  return typeof picker === 'function' ? (picker.bind(scope) as DirectoryPicker) : null;
}

/**
 * Whether Shoebox may read the folder now. A browser without the permission methods (the
 * Origin Private File System of some browsers) never revokes access, so that counts as granted.
 */
export async function readPermission(handle: FileSystemHandle): Promise<PermissionState> {
  const methods = handle as FileSystemHandle & PermissionMethods;
  return typeof methods.queryPermission === 'function'
    ? methods.queryPermission({ mode: 'read' })
    : 'granted';
}

/** Asks the user to let Shoebox read the folder again; needs a user gesture (a click). */
export async function requestReadPermission(handle: FileSystemHandle): Promise<PermissionState> {
  const methods = handle as FileSystemHandle & PermissionMethods;
  return typeof methods.requestPermission === 'function'
    ? methods.requestPermission({ mode: 'read' })
    : 'granted';
}
