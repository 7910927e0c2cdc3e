import { ref } from 'vue';
import type { Ref } from 'vue';
import { useEventListener } from './useEventListener';

/** Whether the browser reports a connection (`navigator.onLine`), kept up to date. */
export function useOnline(): { online: Ref<boolean> } {
  const online = ref(navigator.onLine);
  useEventListener(window, 'online', () => {
    online.value = true;
  });
  useEventListener(window, 'offline', () => {
    online.value = false;
  });
  return { online };
}
