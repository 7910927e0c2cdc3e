import { describe, expect, it } from 'vitest';
import type { QueueItem } from './item';
import { uploadOrder } from './order';
import { queued } from './transitions';

function item(name: string, type: string, size: number, addedAt: number): QueueItem {
  return queued({ name, size, type, lastModified: 0 }, { id: name, addedAt, owner: null });
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
