import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { placeholderSvg } from './placeholder-svg';

describe('placeholderSvg', () => {
  it('has the asset’s proportions at the thumbnail’s size and renders', async () => {
    const svg = placeholderSvg({ code: 'undecodable', reason: 'Damaged.' }, 'l', {
      width: 3000,
      height: 4000,
    });
    const { width, height, format } = await sharp(Buffer.from(svg)).metadata();
    expect({ width, height, format }).toEqual({ width: 960, height: 1280, format: 'svg' });
    const square = placeholderSvg({ code: 'video', reason: 'A video.' }, 's', { width: null, height: null });
    expect(await sharp(Buffer.from(square)).metadata()).toMatchObject({ width: 320, height: 320 });
  });

  it('lets the tile show through a photo’s placeholder (dark or light), but not a video’s', async () => {
    const alphaAt = async (svg: string, x: number, y: number): Promise<number> => {
      const { data, info } = await sharp(Buffer.from(svg))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return data[(y * info.width + x) * info.channels + 3]!;
    };
    const dimensions = { width: 4, height: 3 };
    const photo = placeholderSvg({ code: 'undecodable', reason: 'Damaged.' }, 's', dimensions);
    expect(await alphaAt(photo, 2, 2)).toBe(0);
    // The crossed-out picture itself is drawn, in the middle.
    expect(await alphaAt(photo, 160, 120)).toBeGreaterThan(0);
    const video = placeholderSvg({ code: 'video', reason: 'A video.' }, 's', dimensions);
    expect(await alphaAt(video, 2, 2)).toBe(255);
  });

  it('escapes the reason', () => {
    const svg = placeholderSvg({ code: 'failed', reason: '<script>"x" & \'y\'</script>' }, 's', {
      width: 1,
      height: 1,
    });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('<title>&#60;script&#62;&#34;x&#34; &#38; &#39;y&#39;&#60;/script&#62;</title>');
  });
});
