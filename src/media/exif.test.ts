import './testing/exifrInNode';
import { describe, expect, it } from 'vitest';
import { exifDateToIso, readCaptureDate } from './exif';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

describe('exifDateToIso', () => {
  it('keeps the wall-clock time, with the zone when the camera recorded one', () => {
    expect(exifDateToIso('2018:07:25 16:34:23')).toBe('2018-07-25T16:34:23');
    expect(exifDateToIso('2021:04:11 15:47:53', '-05:00')).toBe('2021-04-11T15:47:53-05:00');
    expect(exifDateToIso('2021:04:11 15:47:53', 'garbage')).toBe('2021-04-11T15:47:53');
  });

  it('rejects blank and malformed dates', () => {
    expect(exifDateToIso('0000:00:00 00:00:00')).toBeNull();
    expect(exifDateToIso('    :  :     :  :  ')).toBeNull();
    expect(exifDateToIso(20180725)).toBeNull();
    expect(exifDateToIso(undefined)).toBeNull();
  });
});

/** node:fs through a computed specifier: this folder's tsconfig has DOM types, not Node's. */
async function corpusBlob(name: string): Promise<Blob> {
  const nodeFs = 'node:fs';
  const { openAsBlob } = (await import(nodeFs)) as { openAsBlob: (path: URL) => Promise<Blob> };
  return openAsBlob(new URL(name, CORPUS));
}

describe('readCaptureDate on the corpus', () => {
  const cases: [string, string | null][] = [
    ['IMG_20180725_163423.jpg', '2018-07-25T16:34:23'],
    ['Canon_40D.jpg', '2008-05-30T15:56:01'],
    ['IMG_5195.HEIC', '2021-04-11T15:47:53-05:00'],
    // Its EXIF sits past the first megabyte: exifr must read on in chunks.
    ['Issue 437 (dotnet).heic', '2025-05-09T11:38:44+02:00'],
    ['IMG_2927.jpg', '2020-05-04T18:39:11-04:00'],
    ['Irvine_CA.avif', '2010-05-11T10:51:45'],
    ['no_exif.jpg', null],
    ['32d08f4a5eb10332506ebedbb9bc7257.jpg', null],
    ['NegativeArraySizeException.HeifReader.processBoxes.heif', null],
    ['zero-byte.jpg', null],
  ];

  it.each(cases)('%s → %s', async (name, expected) => {
    const blob = await corpusBlob(name);
    expect(await readCaptureDate(blob)).toBe(expected);
  });
});
