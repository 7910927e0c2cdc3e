import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, AssetDetails, AssetPage, CheckResponse } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import {
  api,
  corpusFile,
  createMember,
  createOwner,
  jobsIdle,
  readCorpusFile,
  startServer,
  tusUpload,
  uploadCorpusFile,
  type Account,
  type TestServer,
} from './helpers';

describe('the library', () => {
  let server: TestServer;
  let owner: Account;
  let member: Account;
  /** Asset ids by corpus filename. */
  const ids = new Map<string, string>();

  const id = (filename: string): string => ids.get(filename) ?? '';

  beforeAll(async () => {
    server = await startServer();
    owner = await createOwner(server.baseUrl);
    member = await createMember(server.baseUrl, owner);
    // EXIF capture dates 2001, 2008, 2013, 2018 and 2006, uploaded out of order.
    for (const filename of [
      'Canon IXUS.jpg',
      'DSCN0010.jpg',
      'HTC One.jpg',
      'IMG_20180725_163423.jpg',
      'Olympus μ Digital 800.JPG',
    ]) {
      const result = await uploadCorpusFile(server.baseUrl, owner.auth, filename);
      if (!result.ok) throw new Error(`Uploading ${filename} failed: ${JSON.stringify(result.error)}`);
      ids.set(filename, result.assetId);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  describe('POST /api/assets/check', () => {
    it('names the source hashes already backed up, with their ids', async () => {
      const known = corpusFile('DSCN0010.jpg').sha256;
      const unknown = corpusFile('Nexus 4.jpg').sha256;
      const response = await api<CheckResponse>(server.baseUrl, 'POST', '/api/assets/check', {
        auth: owner.auth,
        body: { sourceSha256: [known, unknown, known] },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ existing: [{ sourceSha256: known, id: id('DSCN0010.jpg') }] });
    });

    it('knows nothing of another user’s photos', async () => {
      const response = await api<CheckResponse>(server.baseUrl, 'POST', '/api/assets/check', {
        auth: member.auth,
        body: { sourceSha256: [corpusFile('DSCN0010.jpg').sha256] },
      });
      expect(response.body).toEqual({ existing: [] });
    });

    it('validates the batch', async () => {
      const tooMany = await api<ApiErrorBody>(server.baseUrl, 'POST', '/api/assets/check', {
        auth: owner.auth,
        body: { sourceSha256: Array.from({ length: 501 }, () => 'a'.repeat(64)) },
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.message).toBe('"sourceSha256" can list at most 500 items.');

      const notHex = await api<ApiErrorBody>(server.baseUrl, 'POST', '/api/assets/check', {
        auth: owner.auth,
        body: { sourceSha256: ['a'.repeat(64), 'xyz'] },
      });
      expect(notHex.status).toBe(400);
      expect(notHex.body.error).toEqual({ code: 'BAD_REQUEST', message: '"sourceSha256[1]" is not valid.' });
    });
  });

  describe('GET /api/assets', () => {
    it('pages through the timeline, newest capture first', async () => {
      const seen: Asset[] = [];
      let cursor: string | null = '';
      let pages = 0;
      while (cursor !== null) {
        const query: string = cursor === '' ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
        const response = await api<AssetPage>(server.baseUrl, 'GET', `/api/assets${query}`, {
          auth: owner.auth,
        });
        expect(response.status).toBe(200);
        expect(response.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...response.body.items);
        cursor = response.body.nextCursor;
        pages += 1;
      }
      expect(pages).toBe(3);
      expect(seen.map((item) => item.filename)).toEqual([
        'IMG_20180725_163423.jpg',
        'HTC One.jpg',
        'DSCN0010.jpg',
        'Olympus μ Digital 800.JPG',
        'Canon IXUS.jpg',
      ]);
      const dates = seen.map((item) => item.capturedAt);
      expect([...dates].sort().reverse()).toEqual(dates);
    });

    it('defaults to pages of 100 and caps them at 500', async () => {
      const response = await api<AssetPage>(server.baseUrl, 'GET', '/api/assets', { auth: owner.auth });
      expect(response.body.items).toHaveLength(5);
      expect(response.body.nextCursor).toBeNull();
      const tooBig = await api<ApiErrorBody>(server.baseUrl, 'GET', '/api/assets?limit=501', {
        auth: owner.auth,
      });
      expect(tooBig.status).toBe(400);
      expect(tooBig.body.error.message).toBe('"limit" must be at most 500.');
    });

    it('keeps paging stable while new photos arrive', async () => {
      const first = await api<AssetPage>(server.baseUrl, 'GET', '/api/assets?limit=2', { auth: owner.auth });
      // Newer than everything: it belongs on page one, which has already been read.
      const late = await uploadCorpusFile(server.baseUrl, owner.auth, 'no_exif.jpg', {
        capturedAt: '2024-01-01T00:00:00Z',
      });
      expect(late.ok).toBe(true);
      const second = await api<AssetPage>(
        server.baseUrl,
        'GET',
        `/api/assets?limit=2&cursor=${first.body.nextCursor ?? ''}`,
        { auth: owner.auth },
      );
      expect(second.body.items.map((item) => item.filename)).toEqual([
        'DSCN0010.jpg',
        'Olympus μ Digital 800.JPG',
      ]);
    });

    it('rejects a cursor it did not make', async () => {
      const response = await api<ApiErrorBody>(server.baseUrl, 'GET', '/api/assets?cursor=nonsense', {
        auth: owner.auth,
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('BAD_REQUEST');
    });

    it('lists only the caller’s photos', async () => {
      const bytes = await readCorpusFile('Canon_40D.jpg');
      expect(
        (await tusUpload(server.baseUrl, member.auth, { bytes, filename: 'mine.jpg', type: 'image/jpeg' }))
          .ok,
      ).toBe(true);
      const response = await api<AssetPage>(server.baseUrl, 'GET', '/api/assets', { auth: member.auth });
      expect(response.body.items.map((item) => item.filename)).toEqual(['mine.jpg']);
    });
  });

  describe('GET /api/assets/:id and /original', () => {
    it('describes an asset with everything stored about it', async () => {
      const expected = corpusFile('HTC One.jpg');
      await jobsIdle(server);
      const response = await api<AssetDetails>(server.baseUrl, 'GET', `/api/assets/${id('HTC One.jpg')}`, {
        auth: owner.auth,
      });
      expect(response.body).toEqual({
        id: id('HTC One.jpg'),
        filename: 'HTC One.jpg',
        mimeType: 'image/jpeg',
        bytes: expected.bytes,
        sha256: expected.sha256,
        sourceSha256: expected.sha256,
        // EXIF DateTimeOriginal and SubSecTimeOriginal, wall-clock; the file names no zone.
        capturedAt: '2013-05-29T09:33:20.153Z',
        capturedOffsetMinutes: null,
        uploadedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        width: 2688,
        height: 1520,
        durationSeconds: null,
        thumb: { state: 'ready', version: expect.stringMatching(/^[0-9a-f]{24}$/) },
        deletedAt: null,
        ownerId: owner.user.id,
        favorite: false,
        archived: false,
        rotation: 0,
        make: 'HTC',
        model: 'HTC One',
        lens: null,
        location: null,
        place: null,
      });
    });

    it('serves the original as a download that is never sniffed', async () => {
      const filename = 'Olympus μ Digital 800.JPG';
      const expected = corpusFile(filename);
      const response = await fetch(`${server.baseUrl}/api/assets/${id(filename)}/original`, {
        headers: owner.auth,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      expect(response.headers.get('content-length')).toBe(String(expected.bytes));
      expect(response.headers.get('accept-ranges')).toBe('bytes');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('etag')).toBe(`"${expected.sha256}"`);
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="Olympus _ Digital 800.JPG"; filename*=UTF-8''Olympus%20%CE%BC%20Digital%20800.JPG`,
      );
      expect(Buffer.from(await response.arrayBuffer()).equals(await readCorpusFile(filename))).toBe(true);

      const again = await fetch(`${server.baseUrl}/api/assets/${id(filename)}/original`, {
        headers: { ...owner.auth, 'if-none-match': `"${expected.sha256}"` },
      });
      expect(again.status).toBe(304);
    });

    it('serves byte ranges and refuses one beyond the end', async () => {
      const filename = 'DSCN0010.jpg';
      const bytes = await readCorpusFile(filename);
      const url = `${server.baseUrl}/api/assets/${id(filename)}/original`;

      const middle = await fetch(url, { headers: { ...owner.auth, range: 'bytes=1000-1999' } });
      expect(middle.status).toBe(206);
      expect(middle.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
      expect(middle.headers.get('content-length')).toBe('1000');
      expect(Buffer.from(await middle.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);

      const tail = await fetch(url, { headers: { ...owner.auth, range: 'bytes=-10' } });
      expect(tail.status).toBe(206);
      expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);

      const beyond = await fetch(url, { headers: { ...owner.auth, range: `bytes=${bytes.length}-` } });
      expect(beyond.status).toBe(416);
      expect(beyond.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
      expect(((await beyond.json()) as ApiErrorBody).error.code).toBe('RANGE_NOT_SATISFIABLE');

      const head = await fetch(url, { method: 'HEAD', headers: owner.auth });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(bytes.length));
    });

    it('answers another user’s asset, and a made-up one, with 404', async () => {
      const ownerAsset = id('HTC One.jpg');
      for (const url of [`/api/assets/${ownerAsset}`, `/api/assets/${ownerAsset}/original`]) {
        const response = await api<ApiErrorBody>(server.baseUrl, 'GET', url, { auth: member.auth });
        expect(response.status).toBe(404);
        expect(response.body.error).toEqual({
          code: 'ASSET_NOT_FOUND',
          message: 'That photo or video does not exist.',
        });
      }
      const missing = await api<ApiErrorBody>(
        server.baseUrl,
        'GET',
        '/api/assets/00000000-0000-0000-0000-000000000000',
        {
          auth: owner.auth,
        },
      );
      expect(missing.status).toBe(404);
    });
  });
});
