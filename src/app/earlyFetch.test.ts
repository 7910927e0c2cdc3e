import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchEarly, startEarly } from './earlyFetch';
import { EARLY_PATHS } from './earlyStart';
import { FIRST_PAGE, pagePath } from './libraryApi';

const GET: RequestInit = { method: 'GET' };

let asked: string[];

beforeEach(() => {
  asked = [];
  vi.stubGlobal('shoeboxEarly', undefined);
  vi.stubGlobal('fetch', (input: string) => {
    asked.push(input);
    return Promise.resolve(new Response(`answer ${asked.length}`));
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('early requests', () => {
  it('are the paths the app asks for', () => {
    expect(pagePath(FIRST_PAGE)).toBe(EARLY_PATHS.firstPage);
  });

  it('hand their answer to the first request for the same path, once', async () => {
    startEarly([EARLY_PATHS.buckets]);
    expect(asked).toEqual([EARLY_PATHS.buckets]);
    expect(await (await fetchEarly(EARLY_PATHS.buckets, GET)).text()).toBe('answer 1');
    expect(await (await fetchEarly(EARLY_PATHS.buckets, GET)).text()).toBe('answer 2');
    expect(asked).toEqual([EARLY_PATHS.buckets, EARLY_PATHS.buckets]);
  });

  it('are not started twice, and an old answer is not handed over', async () => {
    vi.useFakeTimers();
    startEarly([EARLY_PATHS.me]);
    startEarly([EARLY_PATHS.me]);
    expect(asked).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    expect(await (await fetchEarly(EARLY_PATHS.me, GET)).text()).toBe('answer 2');
  });

  it('reject as an aborted fetch would', async () => {
    startEarly([EARLY_PATHS.config]);
    const controller = new AbortController();
    controller.abort();
    await expect(fetchEarly(EARLY_PATHS.config, { ...GET, signal: controller.signal })).rejects.toThrow();
  });
});
