import { onScopeDispose, ref } from 'vue';
import type { Ref } from 'vue';

/** The current time (epoch ms), updated every `intervalMs`, for countdowns such as "Retrying in 2 min". */
export function useNow(intervalMs = 5_000): { now: Ref<number> } {
  const now = ref(Date.now());
  const timer = setInterval(() => {
    now.value = Date.now();
  }, intervalMs);
  onScopeDispose(() => clearInterval(timer));
  return { now };
}
