import { onScopeDispose } from 'vue';

/** Listens while the calling component (or effect scope) lives. */
export function useEventListener<K extends keyof WindowEventMap>(
  target: Window,
  type: K,
  handler: (event: WindowEventMap[K]) => void,
): void;
export function useEventListener<K extends keyof DocumentEventMap>(
  target: Document,
  type: K,
  handler: (event: DocumentEventMap[K]) => void,
): void;
export function useEventListener(target: EventTarget, type: string, handler: (event: Event) => void): void {
  target.addEventListener(type, handler);
  onScopeDispose(() => target.removeEventListener(type, handler));
}
