import { parse } from 'exifr/dist/lite.esm.mjs';
import { describe, expect, it } from 'vitest';
import { blobReader } from './dimensions';
import { readExifSegment, withExifSegment } from './exifSegment';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

/** node:fs through a computed specifier: this folder's tsconfig has DOM types, not Node's. */
async function corpusBlob(name: string): Promise<Blob> {
  const nodeFs = 'node:fs';
  const { openAsBlob } = (await import(nodeFs)) as { openAsBlob: (path: URL) => Promise<Blob> };
  return openAsBlob(new URL(name, CORPUS));
}

async function exifOf(blob: Blob): Promise<Record<string, unknown> | undefined> {
  return parse(new Uint8Array(await blob.arrayBuffer()), {
    ifd0: { pick: ['Orientation', 'Make'] },
    exif: { pick: ['DateTimeOriginal'] },
    reviveValues: false,
    translateValues: false,
  });
}

describe('readExifSegment and withExifSegment', () => {
  it('moves the EXIF of a photo onto another JPEG, with the orientation reset to upright', async () => {
    // A Galaxy S photo with Orientation 6, onto another JPEG that starts with a JFIF APP0, as a
    // canvas encoder's output does (standing in for the copy).
    const source = await corpusBlob('Samsung GT-I9000 (Galaxy S).jpg');
    const copy = await corpusBlob('no_exif.jpg');
    expect((await exifOf(source))?.Orientation).toBe(6);

    const segment = await readExifSegment(blobReader(source), source.size);
    expect(segment?.subarray(0, 2)).toEqual(new Uint8Array([0xff, 0xe1]));
    const result = await withExifSegment(copy, segment ?? new Uint8Array());

    expect(await exifOf(result)).toMatchObject({
      Orientation: 1,
      Make: 'SAMSUNG',
      DateTimeOriginal: '2011:04:02 18:30:10',
    });
    // SOI, then the EXIF segment in the JFIF APP0's place, then the copy's own segments.
    const head = new Uint8Array(await result.slice(0, 4).arrayBuffer());
    expect([...head]).toEqual([0xff, 0xd8, 0xff, 0xe1]);
    expect(await exifOf(source)).toMatchObject({ Orientation: 6 });
  });

  it('finds nothing in a JPEG without EXIF, a truncated header or a non-JPEG', async () => {
    for (const name of ['beach.jpg', 'IMG_2927.jpg', 'zero-byte.jpg']) {
      const blob = await corpusBlob(name);
      expect(await readExifSegment(blobReader(blob), blob.size)).toBeNull();
    }
    const cut = (await corpusBlob('Canon_40D.jpg')).slice(0, 100);
    expect(await readExifSegment(blobReader(cut), cut.size)).toBeNull();
  });
});
