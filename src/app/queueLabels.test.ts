import { describe, expect, it } from 'vitest';
import { RETRY_CAP_MS } from '../queue/backoff';
import * as to from '../queue/transitions';
import { progressOf, reasonOf, retryLabel, stateLabel } from './queueLabels';

const queued = to.queued(
  { name: 'a.jpg', size: 100, type: 'image/jpeg', lastModified: 0 },
  { id: 'i', addedAt: 0, owner: null },
);
const prepared = {
  sourceSha256: 'a',
  sha256: 'a',
  capturedAt: null,
  copy: null,
  posterKey: null,
  note: null,
};
const ready = to.ready(to.preparing(queued), 'image/jpeg', prepared);

describe('queue labels', () => {
  it('counts down to the next attempt', () => {
    expect(retryLabel(130_000, 10_000)).toBe('Retrying in 2 min');
    expect(retryLabel(15_000, 10_000)).toBe('Retrying in 5 s');
    expect(retryLabel(5_000, 10_000)).toBe('Retrying soon');
  });

  it('never counts down from more than the 15-minute cap, though the page clock lags the failure', () => {
    // A full disk asks for 15 minutes; the page last read its clock 4 s before the failure.
    const failedAt = 1_000_000;
    expect(retryLabel(failedAt + RETRY_CAP_MS, failedAt - 4_000)).toBe('Retrying in 15 min');
    expect(retryLabel(failedAt + RETRY_CAP_MS, failedAt + 61_000)).toBe('Retrying in 14 min');
  });

  it('tells a duplicate from a new backup', () => {
    const done = to.done(ready, { assetId: 'x', outcome: 'duplicate' });
    expect(stateLabel(done, 0)).toBe('Already backed up');
    expect(stateLabel({ ...done, outcome: 'created' }, 0)).toBe('Backed up');
  });

  it('keeps the reason of skipped, failed and blocked items', () => {
    expect(reasonOf(to.skipped(ready, 'This file is empty.'))).toBe('This file is empty.');
    const failed = to.failed(ready, { error: 'Server down.', now: 0, delay: () => 0 });
    expect(reasonOf(failed)).toBe('Server down.');
    expect(reasonOf(to.notStored(queued, 'No room.'))).toBe('No room.');
    expect(reasonOf(queued)).toBeNull();
  });

  it('measures progress by the confirmed offset', () => {
    const uploading = to.progressed(to.uploading(ready), { url: 'u', offset: 25 });
    expect(progressOf(uploading)).toBe(0.25);
    expect(progressOf(queued)).toBeNull();
  });
});
