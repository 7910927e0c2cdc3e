import { computed, ref } from 'vue';
import type { ComputedRef } from 'vue';

/** The ETA is the upload rate over this window. */
const RATE_WINDOW_MS = 30_000;

/**
 * The upload rate and the time left, from samples of the bytes left taken as the queue changes;
 * call `sample` with the bytes left on each change.
 */
export function useUploadRate(bytesLeft: () => number): {
  rate: ComputedRef<number | null>;
  etaSeconds: ComputedRef<number | null>;
  sample: () => void;
} {
  /** Recent (time, bytes left) samples. */
  const samples = ref<{ at: number; bytes: number }[]>([]);
  /** Bytes per second over the last RATE_WINDOW_MS, or null before there is a measure. */
  const rate = computed(() => {
    const list = samples.value;
    const first = list[0];
    const last = list[list.length - 1];
    if (first === undefined || last === undefined || last.at - first.at < 2_000) return null;
    const sent = first.bytes - last.bytes;
    return sent > 0 ? (sent * 1000) / (last.at - first.at) : null;
  });
  /** Seconds until everything pending is uploaded at the current rate; null when unknown. */
  const etaSeconds = computed(() => {
    const left = bytesLeft();
    return rate.value === null || left === 0 ? null : Math.ceil(left / rate.value);
  });
  function sample(): void {
    const at = Date.now();
    const bytes = bytesLeft();
    const kept = samples.value.filter((entry) => at - entry.at <= RATE_WINDOW_MS && entry.bytes >= bytes);
    samples.value = [...kept, { at, bytes }];
  }
  return { rate, etaSeconds, sample };
}
