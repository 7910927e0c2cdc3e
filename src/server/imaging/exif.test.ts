import { describe, expect, it } from 'vitest';
import { corpusFile } from '../../../tests/support/corpus';
import { bufferSource, withFile } from './bytes';
import {
  dmsToDegrees,
  exifDateTime,
  exifFields,
  parseOffset,
  readEmbeddedExif,
  readExif,
  validPosition,
} from './exif';

describe('exifDateTime', () => {
  it('turns EXIF wall-clock text into ISO without a zone, with sub-seconds as milliseconds', () => {
    expect(exifDateTime('2018:07:25 16:34:23')).toBe('2018-07-25T16:34:23.000');
    expect(exifDateTime('2018:07:25 16:34:23', '935476')).toBe('2018-07-25T16:34:23.935');
    expect(exifDateTime('2013:05:29 09:33:20', '153')).toBe('2013-05-29T09:33:20.153');
    expect(exifDateTime('2008:05:30 15:56:01', '00')).toBe('2008-05-30T15:56:01.000');
    expect(exifDateTime('2008:05:30 15:56:01', 5)).toBe('2008-05-30T15:56:01.500');
  });

  it('refuses blank, zeroed and malformed dates', () => {
    for (const value of [
      '0000:00:00 00:00:00',
      '    :  :     :  :  ',
      '',
      '2018:13:01 00:00:00',
      'yesterday',
      20180725,
      null,
    ]) {
      expect(exifDateTime(value)).toBeNull();
    }
  });

  it('does not depend on the time zone the server runs in', async () => {
    const before = process.env['TZ'];
    // Node applies a changed TZ at once; exifr's revived Dates would shift with it.
    process.env['TZ'] = 'Pacific/Kiritimati';
    try {
      const fields = await readExif(corpusFile('IMG_20180725_163423.jpg').path);
      expect(fields.capturedAt).toBe('2018-07-25T16:34:23.935');
    } finally {
      if (before === undefined) delete process.env['TZ'];
      else process.env['TZ'] = before;
    }
  });
});

describe('parseOffset', () => {
  it('reads EXIF 2.31 offsets as minutes east of UTC', () => {
    expect(parseOffset('+02:00')).toBe(120);
    expect(parseOffset('-04:00')).toBe(-240);
    expect(parseOffset('+05:30')).toBe(330);
    expect(parseOffset('-0930')).toBe(-570);
    expect(parseOffset('Z')).toBe(0);
    expect(parseOffset('   :  ')).toBeNull();
    expect(parseOffset('+25:00')).toBeNull();
    expect(parseOffset(undefined)).toBeNull();
  });
});

describe('GPS', () => {
  it('converts degrees, minutes, seconds with their reference to signed degrees', () => {
    expect(dmsToDegrees([43, 28, 2.814], 'N')).toBeCloseTo(43.467448, 5);
    expect(dmsToDegrees([94, 17, 19.58], 'W')).toBeCloseTo(-94.288772, 5);
    expect(dmsToDegrees([33, 51, 0], 'S')).toBeCloseTo(-33.85, 5);
    expect(dmsToDegrees('43', 'N')).toBeNull();
  });

  it('drops impossible positions and the 0°, 0° that phones without a fix write', () => {
    expect(validPosition(0, 0, 0)).toBeNull();
    expect(validPosition(91, 10, null)).toBeNull();
    expect(validPosition(10, 181, null)).toBeNull();
    expect(validPosition(51.5, 0, 12)).toEqual({ latitude: 51.5, longitude: 0, altitude: 12 });
  });

  it('reads GPSAltitudeRef 1 as below sea level', () => {
    const fields = exifFields({
      GPSLatitude: [31, 30, 0],
      GPSLatitudeRef: 'N',
      GPSLongitude: [35, 28, 48],
      GPSLongitudeRef: 'E',
      GPSAltitude: 430,
      GPSAltitudeRef: new Uint8Array([1]),
    });
    expect(fields.gps?.altitude).toBe(-430);
  });
});

describe('exifFields', () => {
  it('falls back to CreateDate (DateTimeDigitized) with its own offset', () => {
    const fields = exifFields({ CreateDate: '2020:01:02 03:04:05', OffsetTimeDigitized: '+01:00' });
    expect(fields.capturedAt).toBe('2020-01-02T03:04:05.000');
    expect(fields.offsetMinutes).toBe(60);
  });

  it('trims padded camera strings and ignores empty ones', () => {
    const fields = exifFields({ Make: 'NIKON CORPORATION\0\0', Model: '   ', LensModel: 'EF-S18-55mm ' });
    expect(fields).toMatchObject({ make: 'NIKON CORPORATION', model: null, lens: 'EF-S18-55mm' });
  });
});

describe('readExif on the corpus', () => {
  it('reads make, model, date, offset and lens of an iPhone HEIC', async () => {
    const fields = await readExif(corpusFile('IMG_5195.HEIC').path);
    expect(fields).toMatchObject({
      make: 'Apple',
      model: 'iPhone 11 Pro Max',
      lens: 'iPhone 11 Pro Max back triple camera 4.25mm f/1.8',
      capturedAt: '2021-04-11T15:47:53.054',
      offsetMinutes: -300,
      orientation: null,
    });
    expect(fields.gps?.latitude).toBeCloseTo(39.0513, 3);
    expect(fields.gps?.longitude).toBeCloseTo(-94.2888, 3);
  });

  it('gives no EXIF, not an error, for empty and non-EXIF input', async () => {
    expect((await readExif(corpusFile('zero-byte.jpg').path)).make).toBeNull();
    expect((await readExif(corpusFile('fixture.gif').path)).capturedAt).toBeNull();
    expect((await readExif(new Uint8Array([1, 2, 3]))).orientation).toBeNull();
  });
});

describe('readEmbeddedExif', () => {
  it("finds a PNG's eXIf chunk after its image data", async () => {
    const tiff = await withFile(corpusFile('png_with_exif_and_gps.png').path, readEmbeddedExif);
    expect(tiff).not.toBeNull();
    const fields = await readExif(tiff ?? new Uint8Array());
    expect(fields).toMatchObject({
      make: 'Canon',
      model: 'Canon PowerShot S40',
      capturedAt: '2003-12-14T12:01:44.935',
    });
    expect(fields.gps?.latitude).toBeCloseTo(50.2996, 3);
  });

  it("finds a WebP's EXIF chunk and strips a JPEG-style Exif header", async () => {
    const tiff = Buffer.from(
      (await withFile(corpusFile('png_with_exif_and_gps.png').path, readEmbeddedExif)) ?? [],
    );
    const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
    const chunk = (type: string, data: Buffer): Buffer => {
      const header = Buffer.alloc(8);
      header.write(type, 0, 'latin1');
      header.writeUInt32LE(data.length, 4);
      return Buffer.concat([header, data, Buffer.alloc(data.length % 2)]);
    };
    const body = Buffer.concat([
      Buffer.from('WEBP', 'latin1'),
      chunk('VP8X', Buffer.alloc(10)),
      chunk('EXIF', payload),
    ]);
    const riff = Buffer.alloc(8);
    riff.write('RIFF', 0, 'latin1');
    riff.writeUInt32LE(body.length, 4);
    const found = await readEmbeddedExif(bufferSource(Buffer.concat([riff, body])));
    expect(Buffer.from(found ?? []).equals(tiff)).toBe(true);
  });

  it('returns null for files without one', async () => {
    expect(await withFile(corpusFile('Photo (1).webp').path, readEmbeddedExif)).toBeNull();
    expect(await readEmbeddedExif(bufferSource(new Uint8Array(0)))).toBeNull();
  });
});
