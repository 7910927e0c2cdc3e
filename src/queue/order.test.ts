import { describe, expect, it } from 'vitest';
import type { QueueItem } from './item';
import { uploadOrder } from './order';

function item(name: string, type: string, size: number, addedAt: number): QueueItem {
  return {
    id: name,
    state: 'queued',
    name,
    size,
    type,
    addedAt,
    lastModified: null,
    sourceSha256: null,
    sha256: null,
    capturedAt: null,
    attempts: 0,
    upload: null,
    blobKey: `${name}/original`,
  };
}

describe('uploadOrder', () => {
  it('puts photos before videos, smaller before larger, older before newer', () => {
    const items = [
      item('small-video', 'video/mp4', 10, 1),
      item('big-photo-old', 'image/jpeg', 900, 1),
      item('small-photo-new', 'image/png', 100, 9),
      item('small-photo-old', 'image/jpeg', 100, 2),
      item('big-video', 'video/quicktime', 5000, 0),
      item('unknown-type', '', 50, 3),
    ];
    expect(items.sort(uploadOrder).map((i) => i.name)).toEqual([
      'unknown-type',
      'small-photo-old',
      'small-photo-new',
      'big-photo-old',
      'small-video',
      'big-video',
    ]);
  });
});
