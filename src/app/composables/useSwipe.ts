import { shallowRef } from 'vue';

export type SwipeDirection = 'left' | 'right';

/** A horizontal swipe: far enough sideways, mostly horizontal; null otherwise. */
export function swipeDirection(dx: number, dy: number, minDistance = 50): SwipeDirection | null {
  if (Math.abs(dx) < minDistance || Math.abs(dx) < Math.abs(dy) * 1.5) return null;
  return dx < 0 ? 'left' : 'right';
}

/**
 * Horizontal swipes from pointer events (touch, pen or mouse drag). `enabled` is asked at the
 * start of each gesture, so a zoomed photo can take the drag for panning instead.
 */
export function useSwipe(onSwipe: (direction: SwipeDirection) => void, enabled: () => boolean) {
  const start = shallowRef<{ x: number; y: number; id: number } | null>(null);

  function onPointerDown(event: PointerEvent): void {
    if (!event.isPrimary || !enabled()) return;
    start.value = { x: event.clientX, y: event.clientY, id: event.pointerId };
  }

  function onPointerUp(event: PointerEvent): void {
    const from = start.value;
    start.value = null;
    if (from === null || from.id !== event.pointerId) return;
    const direction = swipeDirection(event.clientX - from.x, event.clientY - from.y);
    if (direction !== null) onSwipe(direction);
  }

  function onPointerCancel(): void {
    start.value = null;
  }

  return { onPointerDown, onPointerUp, onPointerCancel };
}
