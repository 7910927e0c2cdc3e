import { describe, expect, it } from 'vitest';
import { blobReader, isAnimated, readPhotoDimensions } from './dimensions';
import { sniffBlob } from './sniffBlob';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

/** node:fs through a computed specifier: this folder's tsconfig has DOM types, not Node's. */
async function corpusBlob(name: string): Promise<Blob> {
  const nodeFs = 'node:fs';
  const { openAsBlob } = (await import(nodeFs)) as { openAsBlob: (path: URL) => Promise<Blob> };
  return openAsBlob(new URL(name, CORPUS));
}

async function dimensionsOf(name: string): Promise<[number, number] | null> {
  const blob = await corpusBlob(name);
  const sniffed = await sniffBlob(blob);
  const found = await readPhotoDimensions(blobReader(blob), blob.size, sniffed?.mimeType ?? '');
  return found === null ? null : [found.width, found.height];
}

describe('readPhotoDimensions on the corpus (MANIFEST.tsv sizes)', () => {
  const cases: [string, [number, number] | null][] = [
    ['Landscape_0.jpg', [1800, 1200]],
    // Stored pixels, before EXIF orientation 6 turns them.
    ['Landscape_6.jpg', [1200, 1800]],
    ['IMG_20180725_163423.jpg', [4048, 3036]],
    ['canon-dslr.jpg', [5184, 3456]],
    ['Nexus 4.jpg', [2448, 3264]],
    ['Canon_40D.jpg', [100, 68]],
    // Truncated after the frame header: the header still says its size.
    ['32d08f4a5eb10332506ebedbb9bc7257.jpg', [3484, 2347]],
    // Its frame header has 0 lines: the height is in a DNL marker after the scan.
    ['beach.jpg', null],
    ['Issue 280 (dotnet).png', [640, 513]],
    ['png_with_exif_and_gps.png', [1, 1]],
    ['fixture.gif', [200, 133]],
    ['Photo (1).webp', [1024, 772]],
    ['Animation Lossy.webp', [320, 240]],
    // iPhone: the primary item is a grid of 512×512 tiles.
    ['IMG_5195.HEIC', [2566, 3313]],
    ['IMG_2927.jpg', [3024, 4032]],
    ['Issue 437 (dotnet).heic', [4000, 1848]],
    ['heic-collection.heic', [1440, 960]],
    ['Irvine_CA.avif', [480, 640]],
  ];

  it.each(cases)('%s → %j', async (name, expected) => {
    expect(await dimensionsOf(name)).toEqual(expected);
  });

  it('gives up on a fuzzed HEIF without throwing', async () => {
    await expect(
      dimensionsOf('NegativeArraySizeException.HeifReader.processBoxes.heif'),
    ).resolves.not.toThrow();
  });
});

describe('isAnimated', () => {
  it.each([
    ['fixture.gif', true],
    ['Animation Lossy.webp', true],
    ['Photo (1).webp', false],
    ['Canon_40D.jpg', false],
  ])('%s → %s', async (name, expected) => {
    const blob = await corpusBlob(name);
    const sniffed = await sniffBlob(blob);
    expect(await isAnimated(blobReader(blob), sniffed?.mimeType ?? '')).toBe(expected);
  });
});
