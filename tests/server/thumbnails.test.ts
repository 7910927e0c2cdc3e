/**
 * The whole corpus through the real server, uploaded once: thumbnails made by the background
 * job queue and served by GET /api/assets/:id/thumb, placeholders for what cannot be previewed,
 * video posters, stored metadata, and Range requests on videos.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetDetails } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { closeHeifDecoder, normalizeOrientation, orientedSize } from '../../src/server/imaging';
import { centroid, isSignRed, meanAbsoluteDifference, signature } from '../../src/server/imaging/testkit';
import {
  api,
  bodyOf,
  corpusFile,
  createMember,
  createOwner,
  jobsIdle,
  listFiles,
  manifest,
  readCorpusFile,
  startServer,
  uploadCorpusFile,
  type Account,
  type TestServer,
  withServerDatabase,
} from './helpers';

const BROKEN = [
  '32d08f4a5eb10332506ebedbb9bc7257.jpg',
  'beach.jpg',
  'NegativeArraySizeException.HeifReader.processBoxes.heif',
];
const VIDEOS = ['with-gps.mov', 'with-gps.mp4', 'fixture.webm', 'sample.3gp'];
/** Refused at upload (415): there is nothing to back up. */
const EMPTY = 'zero-byte.jpg';
/** Byte for byte 'Canon IXUS.jpg': the same asset. */
const DUPLICATE = 'canon-ixus.jpg';
const DECODABLE = manifest()
  .map((row) => row.filename)
  .filter((name) => ![...BROKEN, ...VIDEOS, EMPTY].includes(name));
const LANDSCAPES = [
  'Landscape_0.jpg',
  'Landscape_1.jpg',
  'Landscape_3.jpg',
  'Landscape_6.jpg',
  'Landscape_8.jpg',
];
const PORTRAITS = ['Portrait_2.jpg', 'Portrait_4.jpg', 'Portrait_5.jpg', 'Portrait_7.jpg'];
/** Mean grey-level difference (0–255) of two signatures of the same upright picture: about 1. */
const SAME_PICTURE = 8;

interface Thumb {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

describe('the corpus in the library', () => {
  let server: TestServer;
  let owner: Account;
  let member: Account;
  const ids = new Map<string, string>();
  const id = (filename: string): string => {
    const found = ids.get(filename);
    if (found === undefined) throw new Error(`${filename} was not uploaded`);
    return found;
  };

  const details = async (filename: string): Promise<AssetDetails> => {
    const response = await api<AssetDetails>(server.baseUrl, 'GET', `/api/assets/${id(filename)}`, {
      auth: owner.auth,
    });
    expect(response.status).toBe(200);
    return response.body;
  };
  const thumb = async (
    filename: string,
    size: 's' | 'l',
    headers: Record<string, string> = {},
    account: Account = owner,
  ): Promise<Thumb> => {
    const response = await fetch(`${server.baseUrl}/api/assets/${id(filename)}/thumb?size=${size}`, {
      headers: { ...account.auth, ...headers },
    });
    return {
      status: response.status,
      headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  };
  const webp = async (filename: string, size: 's' | 'l'): Promise<Buffer> => {
    const response = await thumb(filename, size);
    expect({ filename, status: response.status, type: response.headers.get('content-type') }).toEqual({
      filename,
      status: 200,
      type: 'image/webp',
    });
    return response.bytes;
  };

  beforeAll(async () => {
    server = await startServer();
    owner = await createOwner(server.baseUrl);
    member = await createMember(server.baseUrl, owner);
    for (const row of manifest()) {
      const result = await uploadCorpusFile(server.baseUrl, owner.auth, row.filename);
      if (row.filename === EMPTY) {
        expect(result).toMatchObject({ ok: false, status: 415 });
        continue;
      }
      if (!result.ok) throw new Error(`Uploading ${row.filename} failed: ${JSON.stringify(result.error)}`);
      ids.set(row.filename, result.assetId);
    }
    await jobsIdle(server);
  }, 180_000);
  afterAll(async () => {
    await server.close();
    await closeHeifDecoder();
  });

  it('leaves no thumbnail job queued, running or failed once the queue is idle', async () => {
    const states = await withServerDatabase(server.dataDir, (db) =>
      db
        .selectFrom('jobs')
        .select((eb) => ['state', eb.fn.countAll<number>().as('count')])
        .where('kind', '=', 'thumbnail')
        .groupBy('state')
        .execute(),
    );
    // Each asset had one job (the duplicate upload made none).
    expect(states).toEqual([{ state: 'done', count: manifest().length - 2 }]);
  });

  describe('every decodable file', () => {
    it.each(DECODABLE)('%s: a small and a large WebP of the upright picture', async (filename) => {
      const row = corpusFile(filename);
      const asset = await details(filename);
      expect(asset.thumb).toEqual({ state: 'ready', version: expect.stringMatching(/^[0-9a-f]{24}$/) });
      const upright = orientedSize(row.width ?? 0, row.height ?? 0, normalizeOrientation(row.orientation));
      expect({ width: asset.width, height: asset.height }).toEqual(upright);

      for (const [size, longest] of [
        ['s', 320],
        ['l', 1280],
      ] as const) {
        const metadata = await sharp(await webp(filename, size)).metadata();
        expect(metadata.format).toBe('webp');
        expect(Math.max(metadata.width, metadata.height)).toBe(
          Math.min(longest, Math.max(upright.width, upright.height)),
        );
        const scale = metadata.width / upright.width;
        expect(Math.abs(metadata.height - upright.height * scale)).toBeLessThanOrEqual(1);
      }
    });
  });

  describe('orientation, seen through GET /thumb', () => {
    it('every Landscape_* is wider than tall and shows what Landscape_1 shows', async () => {
      const reference = await signature(await webp('Landscape_1.jpg', 'l'));
      for (const name of LANDSCAPES) {
        const large = await webp(name, 'l');
        const { width, height } = await sharp(large).metadata();
        const difference = meanAbsoluteDifference(reference, await signature(large));
        expect({ name, landscape: width > height, upright: difference < SAME_PICTURE }).toEqual({
          name,
          landscape: true,
          upright: true,
        });
      }
    });

    it('every Portrait_* is taller than wide and shows the same picture', async () => {
      const reference = await signature(await webp('Portrait_2.jpg', 'l'), 32, 48);
      for (const name of PORTRAITS) {
        const large = await webp(name, 'l');
        const { width, height } = await sharp(large).metadata();
        const difference = meanAbsoluteDifference(reference, await signature(large, 32, 48));
        expect({ name, portrait: height > width, upright: difference < SAME_PICTURE }).toEqual({
          name,
          portrait: true,
          upright: true,
        });
      }
    });
  });

  describe('HEIC', () => {
    it('the Samsung HEIC (EXIF orientation 6, no irot) is a portrait', async () => {
      expect(await details('Issue 437 (dotnet).heic')).toMatchObject({ width: 1848, height: 4000 });
      const { width, height } = await sharp(await webp('Issue 437 (dotnet).heic', 'l')).metadata();
      expect({ width, height }).toEqual({ width: 591, height: 1280 });
    });

    it('the iPhone HEIC named .jpg is upright: the sign’s red circle in its upper middle', async () => {
      const red = await centroid(await webp('IMG_2927.jpg', 's'), isSignRed);
      expect(red.count).toBeGreaterThan(100);
      expect(red.y).toBeLessThan(0.45);
      expect(Math.abs(red.x - 0.5)).toBeLessThan(0.1);
    });

    it('keeps the iPhone’s capture time and zone, camera and position', async () => {
      expect(await details('IMG_5195.HEIC')).toMatchObject({
        // DateTimeOriginal 15:47:53, SubSecTimeOriginal 054, OffsetTimeOriginal -05:00.
        capturedAt: '2021-04-11T15:47:53.054Z',
        capturedOffsetMinutes: -300,
        make: 'Apple',
        model: 'iPhone 11 Pro Max',
        lens: expect.stringContaining('iPhone 11 Pro Max'),
        location: { latitude: expect.any(Number), longitude: expect.any(Number) },
      });
    });
  });

  describe('files that cannot be previewed', () => {
    it.each(BROKEN)('%s: a placeholder with its reason, served as an SVG', async (filename) => {
      expect((await details(filename)).thumb).toEqual({
        state: 'placeholder',
        code: 'undecodable',
        reason: "This photo can't be read; it may be damaged. The original is kept as it was.",
      });
      const response = await thumb(filename, 's');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(response.headers.get('shoebox-thumb-state')).toBe('placeholder');
      expect(response.headers.get('cache-control')).toBe('private, no-cache');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
      expect(response.bytes.toString('utf8')).toContain('it may be damaged');
      // The original is kept as it was.
      const original = await fetch(`${server.baseUrl}/api/assets/${id(filename)}/original`, {
        headers: owner.auth,
      });
      expect(original.status).toBe(200);
    });
  });

  describe('thumbnail caching', () => {
    it('answers with a strong ETag, a year of immutable caching, and 304 when it has not changed', async () => {
      const { version } = (await details('DSCN0010.jpg')).thumb as { version: string };
      const first = await thumb('DSCN0010.jpg', 's');
      expect(first.headers.get('etag')).toBe(`"${version}-s"`);
      expect(first.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      expect(first.headers.get('x-content-type-options')).toBe('nosniff');
      const large = await thumb('DSCN0010.jpg', 'l');
      expect(large.headers.get('etag')).toBe(`"${version}-l"`);

      const again = await thumb('DSCN0010.jpg', 's', { 'if-none-match': `"${version}-s"` });
      expect(again.status).toBe(304);
      expect(again.bytes.length).toBe(0);
      const changed = await thumb('DSCN0010.jpg', 's', { 'if-none-match': `"${version}-l"` });
      expect(changed.status).toBe(200);
    });

    it('defaults to the small size and refuses other sizes', async () => {
      const response = await fetch(`${server.baseUrl}/api/assets/${id('DSCN0010.jpg')}/thumb`, {
        headers: owner.auth,
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.equals(await webp('DSCN0010.jpg', 's'))).toBe(true);
      const bad = await api<ApiErrorBody>(
        server.baseUrl,
        'GET',
        `/api/assets/${id('DSCN0010.jpg')}/thumb?size=xl`,
        { auth: owner.auth },
      );
      expect(bad.status).toBe(400);
    });
  });

  describe('privacy', () => {
    it('answers another user’s thumbnail, original and details with 404', async () => {
      for (const url of [
        `/api/assets/${id('DSCN0010.jpg')}/thumb?size=s`,
        `/api/assets/${id('DSCN0010.jpg')}/original`,
        `/api/assets/${id('DSCN0010.jpg')}`,
      ]) {
        const response = await api<ApiErrorBody>(server.baseUrl, 'GET', url, { auth: member.auth });
        expect({ url, status: response.status, code: response.body.error.code }).toEqual({
          url,
          status: 404,
          code: 'ASSET_NOT_FOUND',
        });
      }
    });
  });

  describe('videos', () => {
    it('store their size as shown, duration and position', async () => {
      const mov = await details('with-gps.mov');
      // 568×320 coded, turned 90° by the track matrix.
      expect(mov).toMatchObject({
        mimeType: 'video/quicktime',
        width: 320,
        height: 568,
        capturedOffsetMinutes: expect.any(Number),
      });
      expect(mov.durationSeconds).toBeGreaterThan(0);
      expect(mov.location).not.toBeNull();
      const mp4 = await details('with-gps.mp4');
      expect(mp4).toMatchObject({ mimeType: 'video/mp4', width: 1920, height: 1080 });
      expect(mp4.durationSeconds).toBeGreaterThan(0);
    });

    it.each(VIDEOS)('%s shows a video placeholder until its poster frame arrives', async (filename) => {
      expect((await details(filename)).thumb).toMatchObject({ state: 'placeholder', code: 'video' });
      const response = await thumb(filename, 'l');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    });

    it('serve byte ranges of the original, so that players can seek', async () => {
      for (const [filename, type] of [
        ['with-gps.mp4', 'video/mp4'],
        ['with-gps.mov', 'video/quicktime'],
      ] as const) {
        const bytes = await readCorpusFile(filename);
        const url = `${server.baseUrl}/api/assets/${id(filename)}/original`;
        const open = await fetch(url, { headers: { ...owner.auth, range: 'bytes=0-' } });
        await open.arrayBuffer();
        expect(open.status).toBe(206);
        expect(open.headers.get('content-range')).toBe(`bytes 0-${bytes.length - 1}/${bytes.length}`);
        expect(open.headers.get('content-type')).toBe(type);
        expect(open.headers.get('accept-ranges')).toBe('bytes');

        const seek = await fetch(url, { headers: { ...owner.auth, range: 'bytes=100000-132767' } });
        const body = Buffer.from(await seek.arrayBuffer());
        expect(seek.status).toBe(206);
        expect(seek.headers.get('content-range')).toBe(`bytes 100000-132767/${bytes.length}`);
        expect(seek.headers.get('content-length')).toBe('32768');
        expect(body.equals(bytes.subarray(100_000, 132_768))).toBe(true);
      }
    });

    describe('POST /api/assets/:id/poster', () => {
      const poster = (
        width: number,
        height: number,
        format: 'jpeg' | 'webp' | 'png' = 'jpeg',
      ): Promise<Buffer> =>
        sharp(corpusFile('Landscape_1.jpg').path)
          .resize({ width, height, fit: 'fill' })
          .toFormat(format)
          .toBuffer();
      const post = async (
        filename: string,
        body: Buffer,
        type: string,
        account: Account = owner,
      ): Promise<{ status: number; body: AssetDetails & ApiErrorBody }> => {
        const response = await fetch(`${server.baseUrl}/api/assets/${id(filename)}/poster`, {
          method: 'POST',
          headers: { ...account.auth, 'content-type': type },
          body: bodyOf(body),
        });
        return { status: response.status, body: (await response.json()) as AssetDetails & ApiErrorBody };
      };

      it('makes the video’s thumbnails from the frame the browser took', async () => {
        const response = await post('with-gps.mp4', await poster(1920, 1080), 'image/jpeg');
        expect(response.status).toBe(200);
        expect(response.body.thumb).toEqual({
          state: 'ready',
          version: expect.stringMatching(/^[0-9a-f]{24}$/),
        });
        expect((await details('with-gps.mp4')).thumb).toEqual(response.body.thumb);
        const large = await sharp(await webp('with-gps.mp4', 'l')).metadata();
        expect({ width: large.width, height: large.height }).toEqual({ width: 1280, height: 720 });
        const small = await sharp(await webp('with-gps.mp4', 's')).metadata();
        expect(small.width).toBe(320);
      });

      it('replaces an earlier poster and deletes its files', async () => {
        const first = await post('with-gps.mov', await poster(320, 568, 'webp'), 'image/webp');
        expect(first.status).toBe(200);
        const thumbs = (): Promise<string[]> =>
          listFiles(path.join(server.dataDir, 'thumbs', owner.user.id, id('with-gps.mov')));
        expect(await thumbs()).toHaveLength(2);
        const second = await post('with-gps.mov', await poster(160, 284), 'image/jpeg');
        expect(second.status).toBe(200);
        const version = (second.body.thumb as { version: string }).version;
        expect(version).not.toBe((first.body.thumb as { version: string }).version);
        expect(await thumbs()).toEqual([`${version}-l.webp`, `${version}-s.webp`]);
      });

      it('refuses a photo, another user’s video, a poster that is not a JPEG or WebP, and one over 2 MB', async () => {
        const frame = await poster(640, 360);
        expect(await post('DSCN0010.jpg', frame, 'image/jpeg')).toMatchObject({
          status: 409,
          body: { error: { code: 'NOT_A_VIDEO' } },
        });
        expect(await post('sample.3gp', frame, 'image/jpeg', member)).toMatchObject({
          status: 404,
          body: { error: { code: 'ASSET_NOT_FOUND' } },
        });
        expect(await post('sample.3gp', await poster(64, 36, 'png'), 'image/png')).toMatchObject({
          status: 415,
          body: { error: { code: 'UNSUPPORTED_TYPE' } },
        });
        // Declared a JPEG, but the bytes say otherwise.
        expect(await post('sample.3gp', Buffer.from('not a jpeg at all'), 'image/jpeg')).toMatchObject({
          status: 415,
          body: { error: { code: 'UNSUPPORTED_TYPE' } },
        });
        // A JPEG's first bytes and nothing else.
        expect(await post('sample.3gp', frame.subarray(0, 600), 'image/jpeg')).toMatchObject({
          status: 422,
          body: { error: { code: 'POSTER_UNREADABLE' } },
        });
        expect(await post('sample.3gp', Buffer.alloc(2 * 1024 * 1024 + 1, 0xff), 'image/jpeg')).toMatchObject(
          {
            status: 413,
            body: { error: { code: 'TOO_LARGE' } },
          },
        );
        expect((await details('sample.3gp')).thumb).toMatchObject({ state: 'placeholder', code: 'video' });
      });
    });
  });

  it('never stores a second copy of identical bytes', async () => {
    const duplicate = await uploadCorpusFile(server.baseUrl, owner.auth, DUPLICATE);
    expect(duplicate).toMatchObject({ ok: true, outcome: 'duplicate', assetId: id('Canon IXUS.jpg') });
  });
});
