import { describe, expect, it } from 'vitest';
import { swipeDirection } from './useSwipe';
import { ZOOM_MAX, clampPan, pinchScale } from './useZoom';

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

describe('pinchScale', () => {
  it('follows the fingers within 1× and the maximum', () => {
    expect(pinchScale(1, 100, 200)).toBe(2);
    expect(pinchScale(2, 100, 50)).toBe(1);
    expect(pinchScale(1, 100, 50)).toBe(1);
    expect(pinchScale(2, 100, 1000)).toBe(ZOOM_MAX);
    expect(pinchScale(1.5, 0, 10)).toBe(1.5);
  });
});
