import { describe, expect, it } from 'vitest';
import * as to from '../queue/transitions';
import { backupProgress, backupStatus, followRun, progressLabel } from './backupStatus';
import type { BackupStatusInput, QueueFigures } from './backupStatus';
import { QueueMirror } from './queueMirror';

const idle: BackupStatusInput = {
  online: true,
  signedOut: false,
  itemsLeft: 0,
  bytesLeft: 0,
  skipped: 0,
  currentName: null,
};

describe('backupStatus', () => {
  it('says the backup is complete when nothing is left', () => {
    expect(backupStatus(idle)).toEqual({
      title: 'Backup complete',
      detail: null,
      skippedNote: null,
      notStoredNote: null,
      retryNote: null,
    });
  });

  it('counts what is left and names the current item', () => {
    expect(backupStatus({ ...idle, itemsLeft: 3, bytesLeft: 12_300_000, currentName: 'IMG_1.jpg' })).toEqual({
      title: 'Backing up photos',
      detail: '3 left · 12.3 MB · IMG_1.jpg',
      skippedNote: null,
      notStoredNote: null,
      retryNote: null,
    });
  });

  it('says it is checking, not "Backup complete", until what decides the card has been read', () => {
    const checking = {
      title: 'Checking your backup…',
      detail: null,
      skippedNote: null,
      notStoredNote: null,
      retryNote: null,
    };
    expect(backupStatus({ ...idle, reading: true })).toEqual(checking);
    expect(backupStatus({ ...idle, reading: true, hold: 'disabled', skipped: 2 })).toEqual(checking);
    expect(backupStatus({ ...idle, reading: false }).title).toBe('Backup complete');
  });

  it('puts being offline first, then the expired session', () => {
    expect(backupStatus({ ...idle, online: false, signedOut: true, itemsLeft: 1, bytesLeft: 5 }).title).toBe(
      'Waiting for connection',
    );
    expect(backupStatus({ ...idle, signedOut: true, itemsLeft: 1, bytesLeft: 5 }).title).toBe(
      'Sign in to continue backup',
    );
  });

  it('notes skipped items beside any state', () => {
    expect(backupStatus({ ...idle, skipped: 1 }).skippedNote).toBe('A photo or video was skipped');
    expect(backupStatus({ ...idle, skipped: 2, itemsLeft: 1 }).skippedNote).toBe(
      'A photo or video was skipped (2)',
    );
  });
});

describe('files the device had no room for (issue 19)', () => {
  it('never says "Backup complete" while picked files wait outside the queue', () => {
    expect(backupStatus({ ...idle, notStored: 3 })).toEqual({
      title: 'Device storage is full',
      detail: null,
      skippedNote: null,
      notStoredNote:
        "3 files weren't added: this device is out of storage. Free some space, then add them again.",
      retryNote: null,
    });
    const busy = backupStatus({ ...idle, itemsLeft: 2, bytesLeft: 10, notStored: 1 });
    expect(busy.title).toBe('Backing up photos');
    expect(busy.notStoredNote).toBe(
      "1 file wasn't added: this device is out of storage. Free some space, then add it again.",
    );
  });
});

describe('backupStatus with settings', () => {
  it('follows the priority order of DESIGN §1', () => {
    const busy: BackupStatusInput = { ...idle, itemsLeft: 2, bytesLeft: 10 };
    expect(backupStatus({ ...busy, online: false, hold: 'disabled' }).title).toBe('Back up & sync is off');
    expect(backupStatus({ ...busy, online: false, hold: 'wifi' }).title).toBe('Waiting for connection');
    expect(backupStatus({ ...busy, hold: 'wifi', signedOut: true }).title).toBe('Waiting for Wi-Fi');
    expect(backupStatus({ ...busy, hold: 'charging' }).title).toBe('Waiting to charge');
    expect(backupStatus({ ...idle, hold: 'wifi' }).title).toBe('Backup complete');
  });

  it('adds the ETA while backing up', () => {
    expect(backupStatus({ ...idle, itemsLeft: 1, bytesLeft: 2_000_000, etaSeconds: 95 }).detail).toBe(
      '1 left · 2 MB · about 2 min left',
    );
  });
});

describe('an empty account', () => {
  it('says nothing is backed up yet rather than complete, until something is', () => {
    expect(backupStatus({ ...idle, backedUp: 0 })).toMatchObject({
      title: 'Nothing backed up yet',
      detail: 'Add photos or a folder to start.',
      skippedNote: null,
    });
    expect(backupStatus({ ...idle, backedUp: 3 }).title).toBe('Backup complete');
    expect(backupStatus({ ...idle, backedUp: null }).title).toBe('Backup complete');
    expect(backupStatus({ ...idle, backedUp: 0, itemsLeft: 1, bytesLeft: 5 }).title).toBe(
      'Backing up photos',
    );
  });
});

describe('backupProgress', () => {
  const figures = (
    pending: number,
    done: number,
    bytesLeft: number,
    bytesAdded: number,
    bytesDropped = 0,
  ): QueueFigures => ({ pending, done, bytesLeft, bytesAdded, bytesDropped });

  it('follows a run from when the queue had work: what is added meanwhile grows it', () => {
    let run = followRun(null, figures(3, 1000, 6_000_000, 1_000_000_000));
    expect(backupProgress(run, figures(3, 1000, 6_000_000, 1_000_000_000))).toMatchObject({
      done: 0,
      total: 3,
      fraction: 0,
    });
    run = followRun(run, figures(2, 1001, 4_000_000, 1_000_000_000));
    // Four more megabytes added while it runs.
    const now = figures(4, 1001, 8_000_000, 1_004_000_000);
    run = followRun(run, now);
    const progress = backupProgress(run, now);
    expect(progress).toEqual({
      done: 1,
      total: 5,
      sentBytes: 2_000_000,
      totalBytes: 10_000_000,
      fraction: 0.2,
    });
    expect(progress && progressLabel(progress, 95)).toBe('1 of 5 · 2 MB of 10 MB · about 2 min left');
    expect(progress && progressLabel(progress, null)).toBe('1 of 5 · 2 MB of 10 MB');
  });

  it('ends with nothing left to do', () => {
    expect(followRun(followRun(null, figures(1, 0, 5, 5)), figures(0, 1, 0, 5))).toBeNull();
    expect(backupProgress(null, figures(0, 1, 0, 5))).toBeNull();
  });

  it('counts a skipped or removed file out of the run, never as sent', () => {
    // Three photos of 10 bytes: one skipped as it is prepared, one removed, one backed up.
    const mirror = new QueueMirror();
    const item = (id: string, addedAt: number) =>
      to.queued(
        { name: `${id}.jpg`, size: 10, type: 'image/jpeg', lastModified: 0 },
        { id, addedAt, owner: null },
      );
    const [skipped, removed, sent] = [item('s', 1), item('r', 2), item('u', 3)];
    for (const each of [skipped, removed, sent]) mirror.apply(each);
    const now = (): QueueFigures => ({
      pending: mirror.counts.queued + mirror.counts.uploading,
      done: mirror.counts.done,
      bytesLeft: mirror.bytesLeft,
      bytesAdded: mirror.bytesAdded,
      bytesDropped: mirror.bytesDropped,
    });
    const run = followRun(null, now());
    mirror.apply(to.skipped(to.preparing(skipped), 'This is not a photo.'));
    mirror.remove('r');
    expect(backupProgress(run, now())).toMatchObject({ sentBytes: 0, totalBytes: 10, fraction: 0 });
    const uploading = to.uploading(
      to.ready(to.preparing(sent), 'image/jpeg', {
        sourceSha256: 'a',
        sha256: 'a',
        capturedAt: null,
        copy: null,
        posterKey: null,
        note: null,
      }),
    );
    mirror.apply(to.progressed(uploading, { url: 'u', offset: 4 }));
    expect(backupProgress(run, now())).toMatchObject({ done: 0, total: 1, sentBytes: 4, totalBytes: 10 });
  });
});

describe('a backup waiting out a failure (issue 18, finding 11)', () => {
  const full = 'Server storage full. Shoebox will try again later.';
  it('says why and when it retries, and no time left, while nothing moves', () => {
    const status = backupStatus({
      ...idle,
      itemsLeft: 4,
      bytesLeft: 8_000_000,
      etaSeconds: 20,
      nextRetry: { error: full, nextAttemptAt: 900_000 },
      now: 0,
    });
    expect(status.detail).toBe(`4 left · 8 MB · ${full} Retrying in 15 min`);
    expect(status.retryNote).toBe(`${full} Retrying in 15 min`);
  });

  it('shows the time left again once an item moves', () => {
    expect(
      backupStatus({
        ...idle,
        itemsLeft: 1,
        bytesLeft: 5,
        etaSeconds: 20,
        currentName: 'a.jpg',
        nextRetry: { error: full, nextAttemptAt: 900_000 },
        now: 0,
      }).detail,
    ).toBe('1 left · 5 bytes · a.jpg · less than a minute left');
  });
});
