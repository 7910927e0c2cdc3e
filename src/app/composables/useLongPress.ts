/**
 * Long-press on touch and pen (and a held mouse button): `onLongPress` fires after `delayMs`
 * without the pointer travelling; the click that follows the release is then swallowed, so a
 * long-press that selects a tile does not also open it.
 */
export function useLongPress(onLongPress: () => void, delayMs = 500) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let origin: { x: number; y: number } | null = null;
  let fired = false;

  function cancel(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    origin = null;
  }

  function onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) return;
    fired = false;
    origin = { x: event.clientX, y: event.clientY };
    timer = setTimeout(() => {
      timer = null;
      fired = true;
      onLongPress();
    }, delayMs);
  }

  function onPointerMove(event: PointerEvent): void {
    if (origin === null) return;
    // A finger that travels is scrolling, not pressing.
    if (Math.hypot(event.clientX - origin.x, event.clientY - origin.y) > 10) cancel();
  }

  /** True (once) when the click after a long-press should be ignored. */
  function consumeClick(): boolean {
    const wasFired = fired;
    fired = false;
    return wasFired;
  }

  return { onPointerDown, onPointerMove, onPointerEnd: cancel, consumeClick };
}
