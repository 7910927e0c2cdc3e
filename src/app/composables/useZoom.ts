import { computed, ref } from 'vue';
import { swipeDirection, type SwipeDirection } from './useSwipe';

export const ZOOM_MAX = 4;

/**
 * The pan offset that keeps a `scale`× zoomed box of `size` covering its frame: at most half the
 * overflow either way.
 */
export function clampPan(offset: number, size: number, scale: number): number {
  const limit = (size * (scale - 1)) / 2;
  return Math.min(limit, Math.max(-limit, offset));
}

/** The scale after a pinch that started at `startScale` with fingers `startDistance` apart. */
export function pinchScale(startScale: number, startDistance: number, distance: number): number {
  if (startDistance <= 0) return startScale;
  return Math.min(ZOOM_MAX, Math.max(1, (startScale * distance) / startDistance));
}

interface Point {
  x: number;
  y: number;
}

const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
const middle = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

/**
 * Zoom, pan and swipe of one photo, from pointer events on the element the photo fills (`frame`):
 * two fingers pinch-zoom around their midpoint; one finger (or a mouse) pans while zoomed and
 * swipes to the neighbour when not; double-click toggles 2× around the pointer; the wheel (and a
 * trackpad pinch, which Chromium reports as ctrl+wheel) zooms in steps. The frame needs
 * `touch-action: none`, or the browser takes the fingers for scrolling and zooming the page.
 */
export function useZoom(frame: () => HTMLElement | null, onSwipe: (direction: SwipeDirection) => void) {
  const scale = ref(1);
  const x = ref(0);
  const y = ref(0);
  /** Fingers (or the mouse) down on the frame, by pointer id. */
  const pointers = new Map<number, Point>();
  let pinch: { distance: number; scale: number } | null = null;
  let pan: { id: number; from: Point; startX: number; startY: number } | null = null;
  let swipe: { id: number; from: Point } | null = null;

  const zoomed = computed(() => scale.value > 1);
  const transform = computed(() => `translate(${x.value}px, ${y.value}px) scale(${scale.value})`);

  function box(): DOMRect | { width: number; height: number; left: number; top: number } {
    return frame()?.getBoundingClientRect() ?? { width: 0, height: 0, left: 0, top: 0 };
  }

  function zoomTo(next: number, clientX?: number, clientY?: number): void {
    const rect = box();
    const target = Math.min(ZOOM_MAX, Math.max(1, next));
    // Keep the point under the pointer where it is: scale its offset from the centre.
    const px = clientX === undefined ? 0 : clientX - rect.left - rect.width / 2;
    const py = clientY === undefined ? 0 : clientY - rect.top - rect.height / 2;
    const ratio = target / scale.value;
    scale.value = target;
    x.value = clampPan(px - (px - x.value) * ratio, rect.width, target);
    y.value = clampPan(py - (py - y.value) * ratio, rect.height, target);
  }

  function reset(): void {
    scale.value = 1;
    x.value = 0;
    y.value = 0;
    pan = null;
    pinch = null;
  }

  function toggle(event?: MouseEvent): void {
    if (zoomed.value) reset();
    else zoomTo(2, event?.clientX, event?.clientY);
  }

  function onWheel(event: WheelEvent): void {
    event.preventDefault();
    zoomTo(scale.value * (event.deltaY < 0 ? 1.25 : 0.8), event.clientX, event.clientY);
  }

  function startPan(id: number, at: Point): void {
    pan = { id, from: at, startX: x.value, startY: y.value };
  }

  function onPointerDown(event: PointerEvent): void {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    const at = { x: event.clientX, y: event.clientY };
    pointers.set(event.pointerId, at);
    // Buttons in the frame (Previous, Next) keep their own clicks.
    if (!(event.target instanceof Element && event.target.closest('button, a') !== null)) {
      (event.currentTarget as Element | null)?.setPointerCapture(event.pointerId);
    }
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()] as [Point, Point];
      pinch = { distance: distance(a, b), scale: scale.value };
      pan = null;
      swipe = null;
    } else if (pointers.size === 1) {
      if (zoomed.value) startPan(event.pointerId, at);
      else swipe = { id: event.pointerId, from: at };
    }
  }

  function onPointerMove(event: PointerEvent): void {
    if (!pointers.has(event.pointerId)) return;
    const at = { x: event.clientX, y: event.clientY };
    pointers.set(event.pointerId, at);
    if (pinch !== null && pointers.size >= 2) {
      const [a, b] = [...pointers.values()] as [Point, Point];
      const centre = middle(a, b);
      zoomTo(pinchScale(pinch.scale, pinch.distance, distance(a, b)), centre.x, centre.y);
    } else if (pan !== null && pan.id === event.pointerId) {
      const rect = box();
      x.value = clampPan(pan.startX + at.x - pan.from.x, rect.width, scale.value);
      y.value = clampPan(pan.startY + at.y - pan.from.y, rect.height, scale.value);
    }
  }

  function onPointerUp(event: PointerEvent): void {
    if (!pointers.delete(event.pointerId)) return;
    if (swipe !== null && swipe.id === event.pointerId && event.type === 'pointerup') {
      const direction = swipeDirection(event.clientX - swipe.from.x, event.clientY - swipe.from.y);
      if (direction !== null) onSwipe(direction);
    }
    swipe = null;
    if (pointers.size < 2) pinch = null;
    if (pan?.id === event.pointerId) pan = null;
    // The finger left on the glass after a pinch pans from where it is.
    const [rest] = [...pointers.entries()];
    if (rest !== undefined && zoomed.value && pan === null) startPan(rest[0], rest[1]);
  }

  return {
    scale,
    zoomed,
    transform,
    zoomTo,
    reset,
    toggle,
    onWheel,
    onPointerDown,
    onPointerMove,
    onPointerUp,
  };
}
