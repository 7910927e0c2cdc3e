import { onMounted, onScopeDispose, ref } from 'vue';
import type { Ref } from 'vue';

/**
 * Where the window's viewport is over `element` (which scrolls with the page), in the element's
 * own coordinates, and the element's width; updated at most once a frame on scroll and resize.
 */
export function useWindowViewport(element: Ref<HTMLElement | null>) {
  const top = ref(0);
  const bottom = ref(0);
  const width = ref(0);
  let frame: number | null = null;

  /**
   * Reads the element's place, then writes the refs (Vue patches the DOM afterwards). Called only
   * where layout is already up to date (a ResizeObserver callback, a frame after scrolling): right
   * after a DOM change it would force a synchronous layout, which Lighthouse reported on load.
   */
  function measure(): void {
    frame = null;
    const el = element.value;
    if (el === null) return;
    const rect = el.getBoundingClientRect();
    top.value = -rect.top;
    bottom.value = window.innerHeight - rect.top;
    width.value = el.clientWidth;
  }

  function schedule(): void {
    frame ??= requestAnimationFrame(measure);
  }

  /** The element's top in page coordinates, for `window.scrollTo`. */
  function pageTop(): number {
    const el = element.value;
    return el === null ? 0 : el.getBoundingClientRect().top + window.scrollY;
  }

  let observer: ResizeObserver | null = null;
  onMounted(() => {
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    // The first observation is delivered after the first layout, so it is also the first measure:
    // measuring synchronously here, right after the view's DOM was inserted, forced a layout.
    observer = new ResizeObserver(() => {
      if (frame !== null) cancelAnimationFrame(frame);
      measure();
    });
    if (element.value !== null) observer.observe(element.value);
  });
  onScopeDispose(() => {
    window.removeEventListener('scroll', schedule);
    window.removeEventListener('resize', schedule);
    observer?.disconnect();
    if (frame !== null) cancelAnimationFrame(frame);
  });

  return { top, bottom, width, measure, pageTop };
}
