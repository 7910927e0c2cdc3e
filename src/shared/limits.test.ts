import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, checkLimits, formatBytes, formatMegapixels, mediaKindOf } from './limits';

describe('limits', () => {
  it('formats sizes in decimal units as phones do', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(75_000_000)).toBe('75 MB');
    expect(formatBytes(12_345_678_901)).toBe('12.3 GB');
    expect(formatBytes(10_000_000_000)).toBe('10 GB');
    expect(formatBytes(128_037)).toBe('128 KB');
    expect(formatMegapixels(120_400_000)).toBe('120.4 MP');
  });

  it('tells photos from videos by MIME type', () => {
    expect(mediaKindOf('image/heic')).toBe('photo');
    expect(mediaKindOf('video/quicktime')).toBe('video');
    expect(mediaKindOf('application/pdf')).toBeNull();
  });

  it('accepts files within the limits', () => {
    expect(
      checkLimits(DEFAULT_LIMITS, { mimeType: 'image/jpeg', bytes: 4_055_536, pixels: 12_289_728 }),
    ).toEqual({
      ok: true,
    });
    expect(checkLimits(DEFAULT_LIMITS, { mimeType: 'video/mp4', bytes: 9_999_999_999 })).toEqual({
      ok: true,
    });
  });

  it('names the limit that a file breaks, with the file’s own figure', () => {
    expect(checkLimits(DEFAULT_LIMITS, { mimeType: 'video/mp4', bytes: 12_300_000_000 })).toEqual({
      ok: false,
      reason: "Videos can't exceed 10 GB (12.3 GB).",
    });
    expect(checkLimits(DEFAULT_LIMITS, { mimeType: 'image/jpeg', bytes: 80_000_000 })).toEqual({
      ok: false,
      reason: "Photos can't exceed 75 MB (80 MB).",
    });
    expect(checkLimits(DEFAULT_LIMITS, { mimeType: 'image/jpeg', bytes: 5, pixels: 120_400_000 })).toEqual({
      ok: false,
      reason: 'Larger than 100 megapixels (120.4 MP).',
    });
    expect(checkLimits(DEFAULT_LIMITS, { mimeType: 'image/jpeg', bytes: 0 })).toEqual({
      ok: false,
      reason: 'The file is empty.',
    });
    expect(checkLimits(DEFAULT_LIMITS, { mimeType: 'text/plain', bytes: 10 }).ok).toBe(false);
  });
});
