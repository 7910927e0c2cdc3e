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

  it('escapes the reason', () => {
    const svg = placeholderSvg({ code: 'failed', reason: '<script>"x" & \'y\'</script>' }, 's', {
      width: 1,
      height: 1,
    });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('<title>&#60;script&#62;&#34;x&#34; &#38; &#39;y&#39;&#60;/script&#62;</title>');
  });
});
