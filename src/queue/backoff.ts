/** First retry after about 2 s, doubling per attempt. */
export const RETRY_BASE_MS = 2_000;
/** No item waits longer than 15 minutes between attempts (DESIGN §4). */
export const RETRY_CAP_MS = 15 * 60_000;

/**
 * How long to wait after the `attempt`-th failure (1-based): exponential with "equal jitter"
 * (half fixed, half random; https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/),
 * so devices that failed together do not retry together, yet never retry at once.
 * A server's Retry-After is honoured when it asks for longer, still within the cap.
 */
export function retryDelay(
  attempt: number,
  options: { random?: () => number; retryAfterMs?: number | null } = {},
): number {
  const { random = Math.random, retryAfterMs = null } = options;
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(exponent, 30));
  const delay = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.min(RETRY_CAP_MS, Math.max(delay, retryAfterMs ?? 0)));
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
