import { describe, expect, it } from 'vitest';
import { SAVER_MAX_PIXELS, maxSideFor, noteCannotDecode } from './compress';

/** What browser-image-compression does with maxWidthOrHeight: the long side to it, the other in proportion, truncated. */
function resized(width: number, height: number, maxSide: number): [number, number] {
  return width > height
    ? [maxSide, Math.trunc((height / width) * maxSide)]
    : [Math.trunc((width / height) * maxSide), maxSide];
}

describe('maxSideFor', () => {
  it('leaves photos at or under 16 MP alone', () => {
    expect(maxSideFor({ width: 4000, height: 4000 })).toBeUndefined();
    expect(maxSideFor({ width: 4048, height: 3036 })).toBeUndefined();
  });

  it.each([
    [6000, 4000],
    [4000, 6000],
    [8192, 5464],
    [12_000, 3_000],
    [5184, 3456],
    [9248, 6936],
    [16_383, 16_383],
  ])('brings %i×%i to at most 16 MP, keeping the aspect ratio', (width, height) => {
    const side = maxSideFor({ width, height });
    expect(side).toBeDefined();
    const [w, h] = resized(width, height, side ?? 0);
    expect(w * h).toBeLessThanOrEqual(SAVER_MAX_PIXELS);
    // Within a pixel row of the cap: resized to 16 MP, not below it.
    expect(w * h).toBeGreaterThan(SAVER_MAX_PIXELS - 2 * Math.max(w, h));
    expect(w / h).toBeCloseTo(width / height, 2);
  });
});

describe('noteCannotDecode', () => {
  it('names the format where most browsers cannot decode it', () => {
    expect(noteCannotDecode('image/heic')).toBe(
      "Uploaded in original quality: this browser can't decode HEIC.",
    );
    expect(noteCannotDecode('image/jpeg')).toBe(
      "Uploaded in original quality: this browser couldn't decode this photo.",
    );
  });
});
