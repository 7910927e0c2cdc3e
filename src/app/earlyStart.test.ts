import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Asset, AssetPage } from '../shared/api';
import { fetchEarly } from './earlyFetch';
import { EARLY_PATHS, LIBRARY_FIRST_THUMBS, startEarly, thumbPath, type EarlyPlan } from './earlyStart';

/** The preview requests the early script made, in order, with their priority. */
let images: { src: string; fetchPriority: string }[];

function asset(id: string, thumb: Asset['thumb']): Pick<Asset, 'id' | 'thumb'> {
  return { id, thumb };
}

const page = {
  items: [
    asset('a', { state: 'ready', version: 'v1' }),
    asset('b', { state: 'pending' }),
    asset('c', { state: 'placeholder', code: 'video', reason: 'A video' }),
    asset('d', { state: 'ready', version: 'v/2' }),
  ],
} as unknown as AssetPage;

const plan = (count: number): EarlyPlan => ({
  requests: [],
  screens: [
    {
      path: '/library',
      modules: [],
      styles: [],
      requests: [EARLY_PATHS.firstPage],
      thumbs: { ...LIBRARY_FIRST_THUMBS, count },
    },
  ],
});

/** Lets the early script's handling of the first page's answer run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  images = [];
  vi.stubGlobal('shoeboxEarly', undefined);
  vi.stubGlobal('location', { pathname: '/library' });
  vi.stubGlobal(
    'Image',
    class {
      fetchPriority = 'auto';
      set src(url: string) {
        images.push({ src: url, fetchPriority: this.fetchPriority });
      }
    },
  );
  vi.stubGlobal('fetch', () => Promise.resolve(Response.json(page)));
});
afterEach(() => vi.unstubAllGlobals());

describe('the early script on Library', () => {
  it("asks for the first tiles' previews, first, once the first page answers", async () => {
    startEarly(plan(3), thumbPath);
    await settle();
    // b's preview is still being made; c has none (its tile draws a placeholder itself).
    expect(images).toEqual([{ src: '/api/assets/a/thumb?size=s&v=v1', fetchPriority: 'high' }]);
  });

  it('leaves the answer whole for the app', async () => {
    startEarly(plan(12), thumbPath);
    await settle();
    expect(images.map(({ src }) => src)).toContain('/api/assets/d/thumb?size=s&v=v%2F2');
    const answer = await fetchEarly(EARLY_PATHS.firstPage, { method: 'GET' });
    expect(await answer.json()).toEqual(page);
  });

  it('asks for no preview after a failed first page', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(Response.json({ code: 'UNAUTHORIZED' }, { status: 401 })));
    startEarly(plan(12), thumbPath);
    await settle();
    expect(images).toEqual([]);
  });
});

describe('thumbPath', () => {
  it("puts a ready preview's version in its URL, and a placeholder's drawing's", () => {
    expect(thumbPath(asset('a', { state: 'ready', version: 'v/1' }), 'l')).toBe(
      '/api/assets/a/thumb?size=l&v=v%2F1',
    );
    // A new drawing is a new URL: the service worker serves what it cached first.
    expect(thumbPath(asset('c', { state: 'placeholder', code: 'undecodable', reason: 'Damaged' }), 's')).toBe(
      '/api/assets/c/thumb?size=s&v=placeholder-2',
    );
    expect(thumbPath(asset('b', { state: 'pending' }), 's')).toBeNull();
  });
});
