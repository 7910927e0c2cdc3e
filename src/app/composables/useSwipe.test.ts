import { describe, expect, it } from 'vitest';
import { swipeDirection } from './useSwipe';
import { clampPan } from './useZoom';

describe('swipeDirection', () => {
  it('needs a long, mostly horizontal move', () => {
    expect(swipeDirection(-80, 10)).toBe('left');
    expect(swipeDirection(80, -20)).toBe('right');
    expect(swipeDirection(30, 0)).toBeNull();
    expect(swipeDirection(80, 70)).toBeNull();
  });
});

describe('clampPan', () => {
  it('keeps a zoomed photo covering its frame', () => {
    expect(clampPan(500, 400, 2)).toBe(200);
    expect(clampPan(-500, 400, 2)).toBe(-200);
    expect(clampPan(50, 400, 2)).toBe(50);
    expect(clampPan(50, 400, 1)).toBe(0);
  });
});
