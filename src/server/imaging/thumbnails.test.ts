import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile, manifest } from '../../../tests/support/corpus';
import { closeHeifDecoder, decodeHeifPrimary } from './heif-decoder';
import { normalizeOrientation, orientedSize, orientPoint } from './orientation';
import {
  boxTypeAt,
  corpusBytes,
  centroid,
  isSignRed,
  meanAbsoluteDifference,
  patchExifOrientation,
  scratchDir,
  signature,
} from './testkit';
import type { Scratch } from './testkit';
import { makeThumbnails, THUMBNAIL_SIZES } from './thumbnails';
import type { ThumbnailResult } from './thumbnails';

const SLOW = 60_000;
/** Mean grey-level difference (0–255) of 48×32 signatures: upright copies differ by about 1, a mirrored or turned one by 35 or more. */
const SAME_PICTURE = 8;

const BROKEN = new Set([
  '32d08f4a5eb10332506ebedbb9bc7257.jpg',
  'zero-byte.jpg',
  'beach.jpg',
  'NegativeArraySizeException.HeifReader.processBoxes.heif',
]);
const VIDEO_KINDS = new Set(['mp4', 'mov', 'webm', '3gp']);
const DECODABLE = manifest().filter((row) => !BROKEN.has(row.filename) && !VIDEO_KINDS.has(row.kind));

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

type Made = Extract<ThumbnailResult, { status: 'ok' }>;
const made = new Map<string, Promise<Made>>();

/** The thumbnails of a corpus file, made once per test file (several tests look at the same ones). */
function thumbnails(filename: string): Promise<Made> {
  const cached = made.get(filename);
  if (cached) return cached;
  const row = corpusFile(filename);
  const making = makeThumbnails(row.path, MIME_OF_KIND[row.kind] ?? 'application/octet-stream').then(
    (result) => {
      if (result.status !== 'ok') throw new Error(`${filename}: ${result.code} ${result.detail ?? ''}`);
      return result;
    },
  );
  made.set(filename, making);
  return making;
}

afterAll(closeHeifDecoder);

describe('every decodable corpus file', () => {
  it('covers the whole corpus but the broken files and videos', () => {
    expect(DECODABLE.length).toBe(32);
  });

  for (const row of DECODABLE) {
    it(
      `${row.filename}: two WebP sizes of the upright picture, never enlarged`,
      async () => {
        const result = await thumbnails(row.filename);
        const expected = orientedSize(row.width ?? 0, row.height ?? 0, normalizeOrientation(row.orientation));
        expect({ width: result.width, height: result.height }).toEqual(expected);

        for (const [name, longest] of Object.entries(THUMBNAIL_SIZES)) {
          const thumb = name === 'small' ? result.small : result.large;
          const metadata = await sharp(thumb.data).metadata();
          expect(metadata.format).toBe('webp');
          expect({ width: metadata.width, height: metadata.height }).toEqual({
            width: thumb.width,
            height: thumb.height,
          });
          expect(Math.max(thumb.width, thumb.height)).toBe(
            Math.min(longest, Math.max(expected.width, expected.height)),
          );
          // Same shape as the picture, give or take the rounding of one side.
          const scale = thumb.width / expected.width;
          expect(Math.abs(thumb.height - expected.height * scale)).toBeLessThanOrEqual(1);
          // Thumbnails are public-ish copies: no EXIF (GPS) travels with them.
          expect(metadata.exif).toBeUndefined();
        }
      },
      SLOW,
    );
  }
});

describe('EXIF orientation (recurser/exif-orientation-examples: one upright picture each)', () => {
  const landscapes = [
    'Landscape_0.jpg',
    'Landscape_1.jpg',
    'Landscape_3.jpg',
    'Landscape_6.jpg',
    'Landscape_8.jpg',
  ];
  const portraits = ['Portrait_2.jpg', 'Portrait_4.jpg', 'Portrait_5.jpg', 'Portrait_7.jpg'];

  it('all Landscape_* are landscape and show what Landscape_1 (orientation 1) shows', async () => {
    const reference = await signature((await thumbnails('Landscape_1.jpg')).small.data);
    for (const name of landscapes) {
      const { small } = await thumbnails(name);
      expect({ name, landscape: small.width > small.height }).toEqual({ name, landscape: true });
      const difference = meanAbsoluteDifference(reference, await signature(small.data));
      expect({ name, upright: difference < SAME_PICTURE }).toEqual({ name, upright: true });
    }
  });

  it('all Portrait_* (mirrored, transposed, transversed) are portrait and show the same picture', async () => {
    const reference = await signature((await thumbnails('Portrait_2.jpg')).small.data, 32, 48);
    for (const name of portraits) {
      const { small } = await thumbnails(name);
      expect({ name, portrait: small.height > small.width }).toEqual({ name, portrait: true });
      const difference = meanAbsoluteDifference(reference, await signature(small.data, 32, 48));
      expect({ name, upright: difference < SAME_PICTURE }).toEqual({ name, upright: true });
    }
  });

  it('each agrees with the TIFF 6.0 definition applied by hand to the stored pixels', async () => {
    for (const name of [...landscapes, ...portraits]) {
      const row = corpusFile(name);
      const orientation = normalizeOrientation(row.orientation);
      const stored = await sharp(row.path).metadata();
      // The stored pixels at signature size, then every one moved where orientPoint says.
      const storedSize = stored.width > stored.height ? { w: 48, h: 32 } : { w: 32, h: 48 };
      const { data } = await sharp(row.path)
        .resize({ width: storedSize.w, height: storedSize.h, fit: 'fill' })
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const size = orientedSize(storedSize.w, storedSize.h, orientation);
      const expected = new Uint8Array(size.width * size.height);
      for (let y = 0; y < storedSize.h; y += 1) {
        for (let x = 0; x < storedSize.w; x += 1) {
          const to = orientPoint(x, y, storedSize.w, storedSize.h, orientation);
          expected[to.y * size.width + to.x] = data[y * storedSize.w + x] ?? 0;
        }
      }
      const { small } = await thumbnails(name);
      const actual = await signature(small.data, size.width, size.height);
      expect({ name, difference: meanAbsoluteDifference(expected, actual) < SAME_PICTURE }).toEqual({
        name,
        difference: true,
      });
    }
  });

  it('the comparison does tell a mirrored or turned picture from the upright one', async () => {
    const { small } = await thumbnails('Landscape_1.jpg');
    const reference = await signature(small.data);
    for (const wrong of [sharp(small.data).flop(), sharp(small.data).flip(), sharp(small.data).rotate(180)]) {
      expect(meanAbsoluteDifference(reference, await signature(await wrong.toBuffer()))).toBeGreaterThan(
        4 * SAME_PICTURE,
      );
    }
  });

  it('real phones: the Galaxy S (6), the BlackBerry (6) and the Nexus 4 (no tag) come out portrait', async () => {
    for (const name of ['Samsung GT-I9000 (Galaxy S).jpg', 'Blackberry Z10.jpg', 'Nexus 4.jpg']) {
      const { large } = await thumbnails(name);
      expect({ name, portrait: large.height > large.width }).toEqual({ name, portrait: true });
    }
  });
});

describe('HEIC', () => {
  it(
    'Samsung S24 FE (no irot, EXIF 6): stored 4000×1848, shown as a 1848×4000 portrait',
    async () => {
      const result = await thumbnails('Issue 437 (dotnet).heic');
      expect({ width: result.width, height: result.height }).toEqual({ width: 1848, height: 4000 });
      expect(result.large.height).toBe(1280);
      expect(result.large.width).toBeLessThan(result.large.height);
    },
    SLOW,
  );

  it(
    'iPhone 11 Pro (IMG_2927, a HEIC named .jpg, even typed image/jpeg): portrait, sign upright',
    async () => {
      const result = await makeThumbnails(corpusFile('IMG_2927.jpg').path, 'image/jpeg');
      expect(result.status === 'ok' && [result.width, result.height]).toEqual([3024, 4032]);
      if (result.status !== 'ok') return;
      // The red "no pets" circle sits in the upper middle of the upright sign.
      const red = await centroid(result.small.data, isSignRed);
      expect(red.count).toBeGreaterThan(100);
      expect(red.y).toBeLessThan(0.45);
      expect(Math.abs(red.x - 0.5)).toBeLessThan(0.1);
    },
    SLOW,
  );

  it(
    'iPhone 11 Pro Max (IMG_5195): 2566×3313 portrait, flowers in the lower half',
    async () => {
      const result = await thumbnails('IMG_5195.HEIC');
      expect([result.width, result.height]).toEqual([2566, 3313]);
      const purple = await centroid(
        result.small.data,
        (r, g, b) => b > 120 && r > 90 && g < 90 && b > g + 50,
      );
      expect(purple.count).toBeGreaterThan(100);
      expect(purple.y).toBeGreaterThan(0.55);
    },
    SLOW,
  );

  it(
    'the four-image collection: the primary image',
    async () => {
      const result = await thumbnails('heic-collection.heic');
      expect([result.width, result.height, result.large.width]).toEqual([1440, 960, 1280]);
    },
    SLOW,
  );

  it(
    'Display P3 is converted to sRGB (colours not washed out)',
    async () => {
      const converted = await thumbnails('IMG_5195.HEIC');
      // The same decoded pixels taken as sRGB, as they would be without the profile, are duller.
      const decoded = await decodeHeifPrimary(corpusBytes('IMG_5195.HEIC'), {
        maxPixels: 1e8,
        timeoutMs: SLOW,
      });
      if (!decoded.ok) throw new Error(decoded.detail);
      const raw = { width: decoded.width, height: decoded.height, channels: decoded.channels };
      const dull = await sharp(decoded.pixels, { raw })
        .resize({ width: 1280, height: 1280, fit: 'inside' })
        .webp()
        .toBuffer();
      const chroma = async (webp: Buffer): Promise<number> => {
        const { data, info } = await sharp(webp).raw().toBuffer({ resolveWithObject: true });
        let sum = 0;
        for (let i = 0; i < data.length; i += info.channels) {
          const [r = 0, g = 0, b = 0] = [data[i], data[i + 1], data[i + 2]];
          sum += Math.max(r, g, b) - Math.min(r, g, b);
        }
        return sum / (data.length / info.channels);
      };
      expect(await chroma(converted.large.data)).toBeGreaterThan((await chroma(dull)) * 1.05);
    },
    SLOW,
  );

  describe('container transforms and EXIF, on IMG_2927 patched', () => {
    let scratch: Scratch;
    let upright: Buffer;
    beforeAll(async () => {
      scratch = scratchDir();
      upright = (await thumbnails('IMG_2927.jpg')).small.data;
    }, SLOW);
    afterAll(() => scratch.remove());

    async function variant(name: string, patch: (bytes: Buffer) => void): Promise<Buffer> {
      const bytes = corpusBytes('IMG_2927.jpg');
      patch(bytes);
      const result = await makeThumbnails(scratch.write(`${name}.heic`, bytes), 'image/heic');
      if (result.status !== 'ok') throw new Error(`${name}: ${result.detail ?? ''}`);
      return result.small.data;
    }

    async function expectSame(actual: Buffer, expected: Buffer): Promise<void> {
      const size = await sharp(expected).metadata();
      const a = await signature(actual, size.width, size.height);
      const b = await signature(expected, size.width, size.height);
      expect(meanAbsoluteDifference(a, b)).toBeLessThan(SAME_PICTURE);
    }

    it(
      'irot 90° counter-clockwise is applied by libheif',
      async () => {
        const turned = await variant('irot90', (b) => (b[boxTypeAt(b, 'irot') + 4] = 1));
        await expectSame(turned, await sharp(upright).rotate(270).toBuffer());
      },
      SLOW,
    );

    it(
      'irot 270° with EXIF Orientation 6 saying the same (iPhone style) is turned once, not twice',
      async () => {
        const turned = await variant('irot270-exif6', (b) => {
          b[boxTypeAt(b, 'irot') + 4] = 3;
          patchExifOrientation(b, 6);
        });
        await expectSame(turned, await sharp(upright).rotate(90).toBuffer());
      },
      SLOW,
    );

    it(
      'no irot with EXIF Orientation 6 (Samsung style): EXIF is applied',
      async () => {
        const turned = await variant('free-exif6', (b) => {
          b.write('free', boxTypeAt(b, 'irot'), 'latin1');
          patchExifOrientation(b, 6);
        });
        await expectSame(turned, await sharp(upright).rotate(90).toBuffer());
      },
      SLOW,
    );

    it(
      'imir is applied by libheif and EXIF is then ignored',
      async () => {
        const mirrored = await variant('imir-exif3', (b) => {
          const at = boxTypeAt(b, 'irot');
          b.write('imir', at, 'latin1');
          b[at + 4] = 1;
          patchExifOrientation(b, 3);
        });
        await expectSame(mirrored, await sharp(upright).flop().toBuffer());
      },
      SLOW,
    );
  });
});

describe('placeholders', () => {
  const cases: [string, string][] = [
    ['zero-byte.jpg', 'empty'],
    ['32d08f4a5eb10332506ebedbb9bc7257.jpg', 'undecodable'],
    ['beach.jpg', 'undecodable'],
    ['NegativeArraySizeException.HeifReader.processBoxes.heif', 'undecodable'],
  ];
  for (const [filename, code] of cases) {
    it(
      `${filename}: a "${code}" placeholder, quickly`,
      async () => {
        const row = corpusFile(filename);
        const started = Date.now();
        const result = await makeThumbnails(row.path, MIME_OF_KIND[row.kind] ?? 'image/jpeg');
        expect(result).toMatchObject({ status: 'placeholder', code });
        expect(result.status === 'placeholder' && result.reason.length).toBeGreaterThan(10);
        expect(Date.now() - started).toBeLessThan(3_000);
      },
      SLOW,
    );
  }

  it('the fuzzed HEIF does not reach the decoder, and libheif refuses it too', async () => {
    const row = corpusFile('NegativeArraySizeException.HeifReader.processBoxes.heif');
    const result = await makeThumbnails(row.path, 'image/heic');
    expect(result.status === 'placeholder' && result.detail).toMatch(/impossible size/);
  });

  for (const name of ['with-gps.mp4', 'with-gps.mov', 'sample.3gp', 'fixture.webm']) {
    it(`${name}: videos get the "video" placeholder (the poster comes from the browser)`, async () => {
      const row = corpusFile(name);
      expect(await makeThumbnails(row.path, MIME_OF_KIND[row.kind] ?? '')).toMatchObject({
        status: 'placeholder',
        code: 'video',
      });
    });
  }

  it('over the pixel limit: "too-large" before decoding, for JPEG and HEIC', async () => {
    const jpeg = await makeThumbnails(corpusFile('canon-dslr.jpg').path, 'image/jpeg', {
      maxPixels: 10_000_000,
    });
    expect(jpeg).toMatchObject({ status: 'placeholder', code: 'too-large' });
    const heic = await makeThumbnails(corpusFile('IMG_5195.HEIC').path, 'image/heic', {
      maxPixels: 1_000_000,
    });
    expect(heic).toMatchObject({ status: 'placeholder', code: 'too-large' });
  });

  it('a file that is not a picture is "unsupported"', async () => {
    const scratch = scratchDir();
    try {
      const path = scratch.write('notes.txt', Buffer.from('shopping list'));
      expect(await makeThumbnails(path, 'text/plain')).toMatchObject({
        status: 'placeholder',
        code: 'unsupported',
      });
    } finally {
      scratch.remove();
    }
  });
});

describe('robustness', () => {
  it('a JPEG with a harmless libjpeg warning (extraneous bytes before EOI) still gets thumbnails', async () => {
    const bytes = corpusBytes('Canon_40D.jpg');
    const eoi = bytes.lastIndexOf(Buffer.from([0xff, 0xd9]));
    const warned = Buffer.concat([bytes.subarray(0, eoi), Buffer.from([0x12, 0x34]), bytes.subarray(eoi)]);
    const scratch = scratchDir();
    try {
      const result = await makeThumbnails(scratch.write('warned.jpg', warned), 'image/jpeg');
      expect(result).toMatchObject({ status: 'ok', width: 100, height: 68 });
    } finally {
      scratch.remove();
    }
  });

  it('a missing file is an I/O error, not a placeholder', async () => {
    await expect(makeThumbnails('/nonexistent/photo.jpg', 'image/jpeg')).rejects.toThrow(/ENOENT/);
  });

  it('an aborted signal stops the work with its reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(
      makeThumbnails(corpusFile('Landscape_1.jpg').path, 'image/jpeg', { signal: controller.signal }),
    ).rejects.toThrow('shutting down');
  });
});
