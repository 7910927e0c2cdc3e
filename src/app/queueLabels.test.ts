import { describe, expect, it } from 'vitest';
import type { QueueItem } from '../queue/item';
import { progressOf, reasonOf, retryLabel, stateLabel } from './queueLabels';

const base = {
  id: 'i',
  name: 'a.jpg',
  size: 100,
  type: 'image/jpeg',
  addedAt: 0,
  lastModified: null,
  sourceSha256: null,
  sha256: null,
  capturedAt: null,
  attempts: 0,
  upload: null,
  blobKey: 'i/original',
} as const;

describe('queue labels', () => {
  it('counts down to the next attempt', () => {
    expect(retryLabel(130_000, 10_000)).toBe('Retrying in 2 min');
    expect(retryLabel(15_000, 10_000)).toBe('Retrying in 5 s');
    expect(retryLabel(5_000, 10_000)).toBe('Retrying soon');
  });

  it('tells a duplicate from a new backup', () => {
    const done: QueueItem = {
      ...base,
      state: 'done',
      sourceSha256: 'a',
      sha256: 'a',
      assetId: 'x',
      outcome: 'duplicate',
      upload: null,
      blobKey: null,
    };
    expect(stateLabel(done, 0)).toBe('Already backed up');
    expect(stateLabel({ ...done, outcome: 'created' }, 0)).toBe('Backed up');
  });

  it('keeps the reason of skipped, failed and blocked items', () => {
    expect(reasonOf({ ...base, state: 'skipped', reason: 'This file is empty.' })).toBe(
      'This file is empty.',
    );
    expect(reasonOf({ ...base, state: 'failed', error: 'Server down.', nextAttemptAt: 0 })).toBe(
      'Server down.',
    );
    expect(reasonOf({ ...base, state: 'queued' })).toBeNull();
  });

  it('measures progress by the confirmed offset', () => {
    const uploading: QueueItem = {
      ...base,
      state: 'uploading',
      sourceSha256: 'a',
      sha256: 'a',
      upload: { url: 'u', offset: 25 },
    };
    expect(progressOf(uploading)).toBe(0.25);
    expect(progressOf({ ...base, state: 'queued' })).toBeNull();
  });
});
