import { formatBytes } from '../shared/limits';

export interface BackupStatusInput {
  online: boolean;
  /** Items blocked because the session expired. */
  signedOut: boolean;
  /** Items with work ahead of them (queued, preparing, ready, uploading, failed). */
  itemsLeft: number;
  bytesLeft: number;
  skipped: number;
  /** The item being prepared or uploaded, if any. */
  currentName: string | null;
}

export interface BackupStatus {
  /** The words of DESIGN §1, in its order of priority. */
  title: 'Waiting for connection' | 'Sign in to continue backup' | 'Backing up photos' | 'Backup complete';
  detail: string | null;
  /** "A photo or video was skipped", shown beside the title while any item is skipped. */
  skippedNote: string | null;
}

/** The status card (DESIGN §1) from the queue's numbers. Settings-driven states come with issue 3. */
export function backupStatus(input: BackupStatusInput): BackupStatus {
  const skippedNote =
    input.skipped === 0
      ? null
      : `A photo or video was skipped${input.skipped > 1 ? ` (${input.skipped})` : ''}`;
  const left = `${input.itemsLeft} left · ${formatBytes(input.bytesLeft)}`;
  if (!input.online) {
    return { title: 'Waiting for connection', detail: input.itemsLeft > 0 ? left : null, skippedNote };
  }
  if (input.signedOut) {
    return { title: 'Sign in to continue backup', detail: input.itemsLeft > 0 ? left : null, skippedNote };
  }
  if (input.itemsLeft > 0) {
    const current = input.currentName === null ? '' : ` · ${input.currentName}`;
    return { title: 'Backing up photos', detail: `${left}${current}`, skippedNote };
  }
  return { title: 'Backup complete', detail: null, skippedNote };
}
