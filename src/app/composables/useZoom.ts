import { computed, ref } from 'vue';

export const ZOOM_MAX = 4;

/**
 * The pan offset that keeps a `scale`× zoomed box of `size` covering its frame: at most half the
 * overflow either way.
 */
export function clampPan(offset: number, size: number, scale: number): number {
  const limit = (size * (scale - 1)) / 2;
  return Math.min(limit, Math.max(-limit, offset));
}

/**
 * Zoom and pan of one photo: double-click toggles 2× around the pointer, the wheel (or a
 * trackpad pinch, which Chromium reports as a ctrl+wheel) zooms in steps, a drag pans while
 * zoomed. `frame` is the element the photo fills.
 */
export function useZoom(frame: () => HTMLElement | null) {
  const scale = ref(1);
  const x = ref(0);
  const y = ref(0);
  let drag: { id: number; x: number; y: number; startX: number; startY: number } | null = null;

  const zoomed = computed(() => scale.value > 1);
  const transform = computed(() => `translate(${x.value}px, ${y.value}px) scale(${scale.value})`);

  function size(): { width: number; height: number; left: number; top: number } {
    const rect = frame()?.getBoundingClientRect();
    return rect ?? { width: 0, height: 0, left: 0, top: 0 };
  }

  function zoomTo(next: number, clientX?: number, clientY?: number): void {
    const box = size();
    const target = Math.min(ZOOM_MAX, Math.max(1, next));
    // Keep the point under the pointer where it is: scale its offset from the centre.
    const px = clientX === undefined ? 0 : clientX - box.left - box.width / 2;
    const py = clientY === undefined ? 0 : clientY - box.top - box.height / 2;
    const ratio = target / scale.value;
    scale.value = target;
    x.value = clampPan(px - (px - x.value) * ratio, box.width, target);
    y.value = clampPan(py - (py - y.value) * ratio, box.height, target);
  }

  function reset(): void {
    scale.value = 1;
    x.value = 0;
    y.value = 0;
    drag = null;
  }

  function toggle(event?: MouseEvent): void {
    if (zoomed.value) reset();
    else zoomTo(2, event?.clientX, event?.clientY);
  }

  function onWheel(event: WheelEvent): void {
    event.preventDefault();
    zoomTo(scale.value * (event.deltaY < 0 ? 1.25 : 0.8), event.clientX, event.clientY);
  }

  function onPointerDown(event: PointerEvent): void {
    if (!zoomed.value) return;
    drag = { id: event.pointerId, x: event.clientX, y: event.clientY, startX: x.value, startY: y.value };
    (event.currentTarget as Element | null)?.setPointerCapture(event.pointerId);
  }

  function onPointerMove(event: PointerEvent): void {
    if (drag === null || drag.id !== event.pointerId) return;
    const box = size();
    x.value = clampPan(drag.startX + event.clientX - drag.x, box.width, scale.value);
    y.value = clampPan(drag.startY + event.clientY - drag.y, box.height, scale.value);
  }

  function onPointerUp(): void {
    drag = null;
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
