import { describe, expect, it, vi } from 'vitest';

// workbox's logger touches `self` on import; node has none, so stand the global object in for it.
vi.hoisted(() => {
  Object.assign(globalThis, { self: globalThis });
});

const { isThumbnailRequest } = await import('./thumbnailCache');

describe('isThumbnailRequest', () => {
  const origin = 'https://photos.example';

  it('matches this origin’s thumbnail URLs only', () => {
    expect(isThumbnailRequest(new URL(`${origin}/api/assets/abc/thumb?size=s&v=1`), origin)).toBe(true);
    expect(isThumbnailRequest(new URL(`${origin}/api/assets/abc/original`), origin)).toBe(false);
    expect(isThumbnailRequest(new URL(`${origin}/api/assets/abc/thumb/x`), origin)).toBe(false);
    expect(isThumbnailRequest(new URL('https://elsewhere.example/api/assets/abc/thumb'), origin)).toBe(false);
  });
});
