import { formatBytes } from '../shared/limits';
import type { Hold } from '../queue/settings';
import { countLabel } from './countLabel';
import { retryLabel } from './queueLabels';

export interface BackupStatusInput {
  /**
   * The screen has just opened and is still reading what decides the card (the queue, the
   * settings, or, with nothing queued, what the account has on the server): it says nothing it
   * would take back a moment later ("Backup complete" for a queue not read yet).
   */
  reading?: boolean;
  online: boolean;
  /** What the settings hold back right now (holdOf); 'offline' is taken from `online`. */
  hold?: Hold | null;
  /** Items blocked because the session expired. */
  signedOut: boolean;
  /** Items with work ahead of them (queued, preparing, ready, uploading, failed). */
  itemsLeft: number;
  bytesLeft: number;
  skipped: number;
  /** Files picked that the device had no room to store (blocked, 'storage'); 0 when absent. */
  notStored?: number;
  /** The item being prepared or uploaded, if any. */
  currentName: string | null;
  /** Seconds until done at the current rate, when known. */
  etaSeconds?: number | null;
  /**
   * Photos and videos the account has on the server (library and trash), null until known; with
   * none there and none done here, an idle card says "Nothing backed up yet", not "complete".
   */
  backedUp?: number | null;
  /** The failed item due again first (queueMirror.nextRetry), with the time now. */
  nextRetry?: { error: string; nextAttemptAt: number } | null;
  now?: number;
}

export type BackupStatusTitle =
  | 'Checking your backup…'
  | 'Back up & sync is off'
  | 'Waiting for connection'
  | 'Waiting for Wi-Fi'
  | 'Waiting to charge'
  | 'Sign in to continue backup'
  | 'Backing up photos'
  | 'Device storage is full'
  | 'Backup complete'
  | 'Nothing backed up yet';

export interface BackupStatus {
  /** The words of DESIGN §1, in its order of priority. */
  title: BackupStatusTitle;
  detail: string | null;
  /** "A photo or video was skipped", shown beside the title while any item is skipped. */
  skippedNote: string | null;
  /** "3 files weren't added: …", while files picked wait outside the queue for room (issue 19). */
  notStoredNote: string | null;
  /**
   * Why nothing moves and when the next attempt is ("Server storage full. … Retrying in 15 min"),
   * while the queue waits out a failure; the card shows it in place of a time left (issue 18,
   * finding 11).
   */
  retryNote: string | null;
}

/** "about 2 min left" */
export function etaLabel(seconds: number): string {
  if (seconds < 60) return 'less than a minute left';
  if (seconds < 3600) return `about ${Math.ceil(seconds / 60)} min left`;
  return `about ${Math.round(seconds / 360) / 10} h left`;
}

/** The status card (DESIGN §1) from the settings, the device and the queue's numbers. */
export function backupStatus(input: BackupStatusInput): BackupStatus {
  const skippedNote =
    input.skipped === 0
      ? null
      : `A photo or video was skipped${input.skipped > 1 ? ` (${input.skipped})` : ''}`;
  const notStored = input.notStored ?? 0;
  const notStoredNote =
    notStored === 0
      ? null
      : `${notStored === 1 ? "1 file wasn't" : `${notStored.toLocaleString('en')} files weren't`} added: this device is out of storage. Free some space, then add ${notStored === 1 ? 'it' : 'them'} again.`;
  if (input.reading === true)
    return {
      title: 'Checking your backup…',
      detail: null,
      skippedNote: null,
      notStoredNote: null,
      retryNote: null,
    };
  const hasWork = input.itemsLeft > 0;
  const left = `${input.itemsLeft} left · ${formatBytes(input.bytesLeft)}`;
  const leftOrNull = hasWork ? left : null;
  if (input.hold === 'disabled')
    return {
      title: 'Back up & sync is off',
      detail: leftOrNull,
      skippedNote,
      notStoredNote,
      retryNote: null,
    };
  if (!input.online)
    return {
      title: 'Waiting for connection',
      detail: leftOrNull,
      skippedNote,
      notStoredNote,
      retryNote: null,
    };
  if (hasWork && input.hold === 'wifi')
    return { title: 'Waiting for Wi-Fi', detail: left, skippedNote, notStoredNote, retryNote: null };
  if (hasWork && input.hold === 'charging')
    return { title: 'Waiting to charge', detail: left, skippedNote, notStoredNote, retryNote: null };
  if (input.signedOut)
    return {
      title: 'Sign in to continue backup',
      detail: leftOrNull,
      skippedNote,
      notStoredNote,
      retryNote: null,
    };
  if (hasWork && input.currentName === null && input.nextRetry !== null && input.nextRetry !== undefined) {
    // Nothing moving, waiting out a failure: say why and until when, never a time left (issue 18,
    // finding 11: "less than a minute left" while the server's disk was full).
    const { error, nextAttemptAt } = input.nextRetry;
    const wait = retryLabel(nextAttemptAt, input.now ?? Date.now());
    const retryNote = `${error} ${wait}`;
    return {
      title: 'Backing up photos',
      detail: `${left} · ${retryNote}`,
      skippedNote,
      notStoredNote,
      retryNote,
    };
  }
  if (hasWork) {
    const current = input.currentName === null ? '' : ` · ${input.currentName}`;
    const eta =
      input.etaSeconds === null || input.etaSeconds === undefined ? '' : ` · ${etaLabel(input.etaSeconds)}`;
    return {
      title: 'Backing up photos',
      detail: `${left}${current}${eta}`,
      skippedNote,
      notStoredNote,
      retryNote: null,
    };
  }
  // Never "Backup complete" while picked files wait outside the queue for room.
  if (notStored > 0)
    return { title: 'Device storage is full', detail: null, skippedNote, notStoredNote, retryNote: null };
  if (input.backedUp === 0) {
    return {
      title: 'Nothing backed up yet',
      detail: 'Add photos or a folder to start.',
      skippedNote,
      notStoredNote,
      retryNote: null,
    };
  }
  return { title: 'Backup complete', detail: null, skippedNote, notStoredNote, retryNote: null };
}

/** The overall progress of the backup under way, for its bar: items and bytes. */
export interface BackupProgress {
  /** Items of this run backed up, and in it altogether. */
  done: number;
  total: number;
  sentBytes: number;
  totalBytes: number;
  /** sentBytes / totalBytes, in [0, 1]. */
  fraction: number;
}

/** The queue's figures the progress follows (the queue store's counts). */
export interface QueueFigures {
  pending: number;
  done: number;
  bytesLeft: number;
  /** Bytes of work added to the queue, and bytes that left it not backed up, ever growing (QueueMirror). */
  bytesAdded: number;
  bytesDropped: number;
}

/**
 * A run: from the moment the queue had work until it has none. It starts from the figures then:
 * its bytes grow by what is added meanwhile, so yesterday's thousand photos backed up do not make
 * today's three look almost done, and shrink by what leaves without being backed up (a file
 * skipped or removed), which was never sent.
 */
export interface BackupRun {
  doneAtStart: number;
  leftAtStart: number;
  addedAtStart: number;
  droppedAtStart: number;
}

/** The run after the queue's figures changed: null once nothing is left. */
export function followRun(run: BackupRun | null, now: QueueFigures): BackupRun | null {
  if (now.pending === 0) return null;
  if (run === null)
    return {
      doneAtStart: now.done,
      leftAtStart: now.bytesLeft,
      addedAtStart: now.bytesAdded,
      droppedAtStart: now.bytesDropped,
    };
  return { ...run, doneAtStart: Math.min(run.doneAtStart, now.done) };
}

export function backupProgress(run: BackupRun | null, now: QueueFigures): BackupProgress | null {
  if (run === null || now.pending === 0) return null;
  const done = Math.max(0, now.done - run.doneAtStart);
  const totalBytes = Math.max(
    now.bytesLeft,
    run.leftAtStart + (now.bytesAdded - run.addedAtStart) - (now.bytesDropped - run.droppedAtStart),
  );
  const sentBytes = totalBytes - now.bytesLeft;
  return {
    done,
    total: done + now.pending,
    sentBytes,
    totalBytes,
    fraction: totalBytes === 0 ? 0 : sentBytes / totalBytes,
  };
}

/** "3 of 40 · 24 MB of 80 MB · about 2 min left" */
export function progressLabel(progress: BackupProgress, etaSeconds: number | null): string {
  const parts = [
    `${countLabel(progress.done)} of ${countLabel(progress.total)}`,
    `${formatBytes(progress.sentBytes)} of ${formatBytes(progress.totalBytes)}`,
  ];
  if (etaSeconds !== null) parts.push(etaLabel(etaSeconds));
  return parts.join(' · ');
}
