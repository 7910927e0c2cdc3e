import { computed, ref } from 'vue';
import type { ComputedRef } from 'vue';

/** The ETA is the upload rate over this window. */
const RATE_WINDOW_MS = 30_000;

/**
 * The upload rate and the time left, from samples of the bytes sent taken as the queue changes;
 * call `sample` on each change. Only bytes that reached the server count: a skipped file or a
 * duplicate leaves the bytes left smaller at once, and measured as a rate it made a backup of
 * eight photos say "about 39.7 h left".
 */
export function useUploadRate(
  bytesLeft: () => number,
  bytesSent: () => number,
): {
  rate: ComputedRef<number | null>;
  etaSeconds: ComputedRef<number | null>;
  sample: () => void;
} {
  /** Recent (time, bytes sent) samples. */
  const samples = ref<{ at: number; sent: number }[]>([]);
  /** Bytes per second over the last RATE_WINDOW_MS, or null before there is a measure. */
  const rate = computed(() => {
    const list = samples.value;
    const first = list[0];
    const last = list[list.length - 1];
    if (first === undefined || last === undefined || last.at - first.at < 2_000) return null;
    const sent = last.sent - first.sent;
    return sent > 0 ? (sent * 1000) / (last.at - first.at) : null;
  });
  /** Seconds until everything pending is uploaded at the current rate; null when unknown. */
  const etaSeconds = computed(() => {
    const left = bytesLeft();
    return rate.value === null || left === 0 ? null : Math.ceil(left / rate.value);
  });
  function sample(): void {
    const at = Date.now();
    const kept = samples.value.filter((entry) => at - entry.at <= RATE_WINDOW_MS);
    samples.value = [...kept, { at, sent: bytesSent() }];
  }
  return { rate, etaSeconds, sample };
}
