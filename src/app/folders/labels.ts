import type { BackupFolder } from '../../queue/folder';
import { dateLabel, timeLabel } from '../dayLabels';
import type { ScanProgress, ScanResult } from './scan';

function files(count: number): string {
  return count === 1 ? '1 file' : `${count.toLocaleString('en-US')} files`;
}

/** "Scanning Camera… 340 files", "Queueing 3 new files from Camera…". */
export function scanProgressLabel(name: string, progress: ScanProgress): string {
  switch (progress.stage) {
    case 'listing':
      return `Scanning ${name}… ${files(progress.found)}`;
    case 'comparing':
      return `Scanning ${name}… ${files(progress.found)}, looking for new ones`;
    case 'queueing':
      return `Queueing ${progress.queued.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')} new files from ${name}…`;
  }
}

/** "Found 1,204 files, 3 new, queued" — what the last scan of a folder did. */
export function lastScanLabel(folder: Pick<BackupFolder, 'lastFound' | 'lastQueued'>): string | null {
  if (folder.lastFound === null) return null;
  const found = `Found ${files(folder.lastFound)}`;
  const queued = folder.lastQueued ?? 0;
  return queued === 0 ? `${found}, nothing new` : `${found}, ${queued.toLocaleString('en-US')} new, queued`;
}

/** "today at 14:05", or the date and time for older scans (written as every date of the app). */
export function scanTimeLabel(at: number, now: number, locale?: string): string {
  const time = timeLabel(at, locale);
  if (new Date(now).toDateString() === new Date(at).toDateString()) return `today at ${time}`;
  return `${dateLabel(at, locale)} at ${time}`;
}

/** What to say under a folder after a scan in this page: its counts, or why it stopped. */
export function scanResultLabel(result: ScanResult): string {
  switch (result.status) {
    case 'scanned': {
      const parts = [lastScanLabel({ lastFound: result.found, lastQueued: result.queued }) ?? ''];
      if (result.copies > 0) {
        parts.push(`${files(result.copies)} already backed up under another name`);
      }
      if (result.unreadable > 0)
        parts.push(`${files(result.unreadable)} could not be read (tried again next scan)`);
      return parts.join('; ');
    }
    case 'needs-permission':
      return 'Shoebox needs your permission to read this folder again.';
    case 'failed':
      return result.error;
    case 'removed':
      return 'This folder is no longer backed up.';
  }
}
