import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exifDateToIso, normalizeIsoDate, readExifCaptureDate } from './capture-date';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/corpus');

describe('exifDateToIso', () => {
  it('keeps the wall-clock time when there is no offset', () => {
    expect(exifDateToIso('2018:07:25 16:34:23')).toBe('2018-07-25T16:34:23.000Z');
  });

  it('converts to UTC with an offset', () => {
    expect(exifDateToIso('2021:04:11 15:47:53', '-05:00')).toBe('2021-04-11T20:47:53.000Z');
    expect(exifDateToIso('2025:05:09 01:38:44', '+02:00')).toBe('2025-05-08T23:38:44.000Z');
  });

  it.each(['0000:00:00 00:00:00', '2018:13:01 00:00:00', '2018:02:30 10:00:00', 'yesterday', ''])(
    'rejects %j',
    (value) => {
      expect(exifDateToIso(value)).toBeNull();
    },
  );
});

describe('normalizeIsoDate', () => {
  it.each([
    ['2018-07-25T16:34:23Z', '2018-07-25T16:34:23.000Z'],
    ['2018-07-25T16:34:23.5+02:00', '2018-07-25T14:34:23.500Z'],
    ['2018-07-25T16:34', '2018-07-25T16:34:00.000Z'],
  ])('%j', (value, expected) => {
    expect(normalizeIsoDate(value)).toBe(expected);
  });

  it.each(['2018-07-25', 'July 25, 2018', '2018-13-01T00:00:00Z', '2018-02-30T10:00:00Z', ''])(
    'rejects %j',
    (value) => {
      expect(normalizeIsoDate(value)).toBeNull();
    },
  );
});

describe('readExifCaptureDate', () => {
  it('reads DateTimeOriginal from a JPEG', async () => {
    expect(await readExifCaptureDate(path.join(corpus, 'IMG_20180725_163423.jpg'))).toBe(
      '2018-07-25T16:34:23.000Z',
    );
  });

  it('applies OffsetTimeOriginal from a HEIC', async () => {
    expect(await readExifCaptureDate(path.join(corpus, 'IMG_5195.HEIC'))).toBe('2021-04-11T20:47:53.000Z');
  });

  it('returns null without EXIF', async () => {
    expect(await readExifCaptureDate(path.join(corpus, 'no_exif.jpg'))).toBeNull();
  });
});
