import { describe, expect, it } from 'vitest';
import { RETRY_BASE_MS, RETRY_CAP_MS, parseRetryAfter, retryDelay } from './backoff';

describe('retryDelay', () => {
  it('doubles per attempt, between half and all of the step', () => {
    expect(retryDelay(1, { random: () => 0 })).toBe(RETRY_BASE_MS / 2);
    expect(retryDelay(1, { random: () => 1 })).toBe(RETRY_BASE_MS);
    expect(retryDelay(2, { random: () => 1 })).toBe(RETRY_BASE_MS * 2);
    expect(retryDelay(4, { random: () => 0.5 })).toBe(RETRY_BASE_MS * 8 * 0.75);
  });

  it('never waits longer than 15 minutes, however many attempts', () => {
    for (const attempt of [10, 20, 100, 10_000]) {
      expect(retryDelay(attempt, { random: () => 1 })).toBe(RETRY_CAP_MS);
      expect(retryDelay(attempt, { random: () => 0 })).toBe(RETRY_CAP_MS / 2);
    }
  });

  it('waits at least as long as the server asks, within the cap', () => {
    expect(retryDelay(1, { random: () => 0, retryAfterMs: 30_000 })).toBe(30_000);
    expect(retryDelay(1, { random: () => 0, retryAfterMs: 3_600_000 })).toBe(RETRY_CAP_MS);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
