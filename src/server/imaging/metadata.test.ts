import { describe, expect, it } from 'vitest';
import { corpusFile, manifest } from '../../../tests/support/corpus';
import { readMetadata } from './metadata';
import type { MediaMetadata, PhotoMetadata, VideoMetadata } from './metadata';
import { normalizeOrientation, orientedSize } from './orientation';

const MIME_OF_KIND: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  '3gp': 'video/3gpp',
  empty: 'image/jpeg',
};

async function read(filename: string): Promise<MediaMetadata> {
  const row = corpusFile(filename);
  return readMetadata(row.path, MIME_OF_KIND[row.kind] ?? 'application/octet-stream');
}

async function photo(filename: string): Promise<PhotoMetadata> {
  const metadata = await read(filename);
  if (metadata.kind !== 'photo') throw new Error(`${filename} is not a photo`);
  return metadata;
}

async function video(filename: string): Promise<VideoMetadata> {
  const metadata = await read(filename);
  if (metadata.kind !== 'video') throw new Error(`${filename} is not a video`);
  return metadata;
}

describe('readMetadata: photos', () => {
  it('Canon 40D: make and model', async () => {
    expect(await photo('Canon_40D.jpg')).toMatchObject({
      make: 'Canon',
      model: 'Canon EOS 40D',
      width: 100,
      height: 68,
      capturedAt: '2008-05-30T15:56:01.000',
      // GPSVersionID alone is no position.
      gps: null,
    });
  });

  it('Nikon DSCN0010: GPS position', async () => {
    const metadata = await photo('DSCN0010.jpg');
    expect(metadata.gps?.latitude).toBeCloseTo(43.467448, 5);
    expect(metadata.gps?.longitude).toBeCloseTo(11.885127, 5);
  });

  it('Pixel IMG_20180725_163423: wall-clock capture time, altitude, no offset recorded', async () => {
    const metadata = await photo('IMG_20180725_163423.jpg');
    expect(metadata.capturedAt?.startsWith('2018-07-25T16:34:23')).toBe(true);
    expect(metadata).toMatchObject({
      make: 'Google',
      model: 'Pixel',
      offsetMinutes: null,
      width: 4048,
      height: 3036,
    });
    expect(metadata.gps?.altitude).toBe(252);
  });

  it('iPhone HEIC: offset, lens, size', async () => {
    expect(await photo('IMG_5195.HEIC')).toMatchObject({
      capturedAt: '2021-04-11T15:47:53.054',
      offsetMinutes: -300,
      lens: 'iPhone 11 Pro Max back triple camera 4.25mm f/1.8',
      width: 2566,
      height: 3313,
      orientation: 1,
    });
  });

  it('Samsung HEIC: size after its EXIF orientation 6, offset +02:00', async () => {
    expect(await photo('Issue 437 (dotnet).heic')).toMatchObject({
      width: 1848,
      height: 4000,
      orientation: 6,
      make: 'samsung',
      model: 'Galaxy S24 FE',
      offsetMinutes: 120,
    });
  });

  it('a HEIC named .jpg and typed image/jpeg is read as the HEIC it is', async () => {
    const metadata = await readMetadata(corpusFile('IMG_2927.jpg').path, 'image/jpeg');
    expect(metadata).toMatchObject({
      kind: 'photo',
      mimeType: 'image/heic',
      width: 3024,
      height: 4032,
      offsetMinutes: -240,
    });
  });

  it("the Galaxy S's 0°, 0° is no position", async () => {
    expect((await photo('Samsung GT-I9000 (Galaxy S).jpg')).gps).toBeNull();
  });

  it('PNG eXIf chunk: date and position', async () => {
    const metadata = await photo('png_with_exif_and_gps.png');
    expect(metadata.capturedAt).toBe('2003-12-14T12:01:44.935');
    expect(metadata.gps?.latitude).toBeCloseTo(50.2996, 3);
  });

  it('every photo: width and height after orientation, as the manifest gives them before it', async () => {
    const broken = new Set([
      'beach.jpg',
      'zero-byte.jpg',
      'NegativeArraySizeException.HeifReader.processBoxes.heif',
    ]);
    for (const row of manifest()) {
      const mimeType = MIME_OF_KIND[row.kind];
      if (!mimeType?.startsWith('image/') || broken.has(row.filename)) continue;
      const metadata = await photo(row.filename);
      const expected = orientedSize(row.width ?? 0, row.height ?? 0, normalizeOrientation(row.orientation));
      expect({ file: row.filename, width: metadata.width, height: metadata.height }).toEqual({
        file: row.filename,
        ...expected,
      });
      if (row.dateTimeOriginal) {
        const wallClock = row.dateTimeOriginal.replace(/^(\d{4}):(\d{2}):(\d{2}) /, '$1-$2-$3T');
        expect({ file: row.filename, date: metadata.capturedAt?.slice(0, 19) }).toEqual({
          file: row.filename,
          date: wallClock,
        });
      }
    }
  });

  it('broken files give nulls, not errors', async () => {
    for (const name of [
      'beach.jpg',
      'zero-byte.jpg',
      'NegativeArraySizeException.HeifReader.processBoxes.heif',
    ]) {
      expect(await photo(name)).toMatchObject({
        width: null,
        height: null,
        capturedAt: null,
        orientation: 1,
      });
    }
  });

  it('refuses what is neither a photo nor a video, and missing files', async () => {
    await expect(readMetadata(corpusFile('zero-byte.jpg').path, 'text/plain')).rejects.toThrow(RangeError);
    await expect(readMetadata('/nonexistent.jpg', 'image/jpeg')).rejects.toThrow(/ENOENT/);
  });
});

describe('readMetadata: videos', () => {
  it('MP4, MOV and 3GP have a duration; the MOV is shown portrait', async () => {
    for (const name of ['with-gps.mp4', 'with-gps.mov', 'sample.3gp']) {
      expect((await video(name)).durationSeconds).toBeGreaterThan(0);
    }
    expect(await video('with-gps.mov')).toMatchObject({ width: 320, height: 568, rotation: 90 });
    expect(await video('with-gps.mp4')).toMatchObject({ width: 1920, height: 1080, rotation: 0 });
  });

  it('WebM: size and duration from the EBML header', async () => {
    const metadata = await video('fixture.webm');
    expect(metadata).toMatchObject({ width: 640, height: 356, mimeType: 'video/webm' });
    expect(metadata.durationSeconds).toBeGreaterThan(0);
  });
});
