import { describe, expect, it } from 'vitest';
import { bufferSource } from './bytes';
import { readHeifContainer } from './heif-container';
import type { HeifParse } from './heif-container';
import { boxTypeAt, corpusBytes } from './testkit';

async function parse(bytes: Buffer): Promise<HeifParse> {
  return readHeifContainer(bufferSource(bytes));
}

describe('readHeifContainer on the corpus', () => {
  it('iPhone 11 Pro (IMG_2927, named .jpg): portrait grid 3024×4032 with a 0° irot, Display P3', async () => {
    const result = await parse(corpusBytes('IMG_2927.jpg'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.primary).toMatchObject({
      storedWidth: 3024,
      storedHeight: 4032,
      width: 3024,
      height: 4032,
      transforms: [{ type: 'irot', counterClockwise: 0 }],
      orientedByContainer: true,
    });
    expect(Buffer.from(result.primary.icc ?? []).includes('Display P3', 0, 'latin1')).toBe(true);
  });

  it('iPhone 11 Pro Max (IMG_5195): 2566×3313 with a 0° irot', async () => {
    const result = await parse(corpusBytes('IMG_5195.HEIC'));
    expect(result.ok && result.primary).toMatchObject({
      width: 2566,
      height: 3313,
      orientedByContainer: true,
    });
  });

  it('Samsung S24 FE (Issue 437): 4000×1848 and no irot, so EXIF decides', async () => {
    const result = await parse(corpusBytes('Issue 437 (dotnet).heic'));
    expect(result.ok && result.primary).toMatchObject({
      storedWidth: 4000,
      storedHeight: 1848,
      transforms: [],
      orientedByContainer: false,
    });
  });

  it('collection of four images: describes the primary one', async () => {
    const result = await parse(corpusBytes('heic-collection.heic'));
    expect(result.ok && result.primary).toMatchObject({ itemId: 1002, width: 1440, height: 960, icc: null });
  });

  it('AVIF uses the same container', async () => {
    const result = await parse(corpusBytes('Irvine_CA.avif'));
    expect(result.ok && result.primary).toMatchObject({
      width: 480,
      height: 640,
      orientedByContainer: false,
    });
  });

  it('the fuzzed HEIF is refused at once', async () => {
    const result = await parse(corpusBytes('NegativeArraySizeException.HeifReader.processBoxes.heif'));
    expect(result).toEqual({ ok: false, reason: 'a box in meta has an impossible size' });
  });

  it('non-HEIF input is refused, not thrown', async () => {
    expect((await parse(Buffer.alloc(0))).ok).toBe(false);
    expect((await parse(corpusBytes('Landscape_1.jpg'))).ok).toBe(false);
  });
});

describe('readHeifContainer on patched files', () => {
  it('swaps the size for a 90° or 270° irot', async () => {
    for (const angle of [1, 3]) {
      const bytes = corpusBytes('IMG_2927.jpg');
      bytes[boxTypeAt(bytes, 'irot') + 4] = angle;
      const result = await parse(bytes);
      expect(result.ok && result.primary).toMatchObject({
        width: 4032,
        height: 3024,
        transforms: [{ type: 'irot', counterClockwise: angle * 90 }],
      });
    }
  });

  it('reads imir as a mirror that keeps the size', async () => {
    const bytes = corpusBytes('IMG_2927.jpg');
    bytes.write('imir', boxTypeAt(bytes, 'irot'), 'latin1');
    const result = await parse(bytes);
    expect(result.ok && result.primary).toMatchObject({
      width: 3024,
      height: 4032,
      transforms: [{ type: 'imir', mirror: 'top-bottom' }],
      orientedByContainer: true,
    });
  });
});
