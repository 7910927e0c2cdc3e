export type SwipeDirection = 'left' | 'right';

/** A horizontal swipe: far enough sideways, mostly horizontal; null otherwise. */
export function swipeDirection(dx: number, dy: number, minDistance = 50): SwipeDirection | null {
  if (Math.abs(dx) < minDistance || Math.abs(dx) < Math.abs(dy) * 1.5) return null;
  return dx < 0 ? 'left' : 'right';
}
