import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, AssetPage } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import {
  api,
  authHeaders,
  bodyOf,
  corpusFile,
  createMember,
  createOwner,
  encodeMetadata,
  listFiles,
  readCorpusFile,
  sha256Hex,
  startServer,
  tusUpload,
  uploadCorpusFile,
  type Account,
  type TestServer,
  type TusUploadResult,
} from './helpers';

function expectUploaded(result: TusUploadResult): asserts result is Extract<TusUploadResult, { ok: true }> {
  if (!result.ok)
    throw new Error(`Upload failed at ${result.step}: ${result.status} ${JSON.stringify(result.error)}`);
}

function expectRejected(result: TusUploadResult): asserts result is Extract<TusUploadResult, { ok: false }> {
  if (result.ok) throw new Error(`Upload unexpectedly succeeded as ${result.assetId}`);
}

describe('tus uploads', () => {
  let server: TestServer;
  let owner: Account;

  const asset = async (id: string, account: Account = owner): Promise<Asset> => {
    const response = await api<Asset>(server.baseUrl, 'GET', `/api/assets/${id}`, { auth: account.auth });
    expect(response.status).toBe(200);
    return response.body;
  };
  const original = async (id: string): Promise<Buffer> => {
    const response = await fetch(`${server.baseUrl}/api/assets/${id}/original`, { headers: owner.auth });
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };
  const allAssets = async (): Promise<Asset[]> =>
    (await api<AssetPage>(server.baseUrl, 'GET', '/api/assets?limit=500', { auth: owner.auth })).body.items;
  const blobs = (): Promise<string[]> => listFiles(path.join(server.dataDir, 'blobs'));
  const uploads = (): Promise<string[]> => listFiles(path.join(server.dataDir, 'uploads'));

  beforeAll(async () => {
    // The thumbnails of these uploads are not what this file tests (thumbnails.test.ts is): the
    // queue stays stopped so that the suite does not spend two cores decoding them.
    server = await startServer({ app: { startJobs: false } });
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    ['Canon_40D.jpg', 'image/jpeg'],
    ['Olympus μ Digital 800.JPG', 'image/jpeg'],
    ['IMG_5195.HEIC', 'image/heic'],
    ['IMG_2927.jpg', 'image/heic'],
    ['Irvine_CA.avif', 'image/avif'],
    ['Issue 280 (dotnet).png', 'image/png'],
    ['Animation Lossy.webp', 'image/webp'],
    ['fixture.gif', 'image/gif'],
    ['beach.jpg', 'image/jpeg'],
    ['32d08f4a5eb10332506ebedbb9bc7257.jpg', 'image/jpeg'],
    ['with-gps.mov', 'video/quicktime'],
    ['with-gps.mp4', 'video/mp4'],
    ['fixture.webm', 'video/webm'],
    ['sample.3gp', 'video/3gpp'],
  ])('stores %s byte for byte as %s', async (filename, mimeType) => {
    const expected = corpusFile(filename);
    const result = await uploadCorpusFile(server.baseUrl, owner.auth, filename);
    expectUploaded(result);
    expect(result.outcome).toBe('created');

    const stored = await asset(result.assetId);
    expect(stored).toMatchObject({
      filename,
      mimeType,
      bytes: expected.bytes,
      sha256: expected.sha256,
      sourceSha256: expected.sha256,
    });
    expect(sha256Hex(await original(result.assetId))).toBe(expected.sha256);
    expect(await uploads()).toEqual([]);
  });

  it('dates a photo by its EXIF wall-clock time', async () => {
    const result = await uploadCorpusFile(server.baseUrl, owner.auth, 'IMG_20180725_163423.jpg', {
      capturedAt: '2020-01-01T00:00:00Z',
    });
    expectUploaded(result);
    // DateTimeOriginal with its SubSecTimeOriginal; the file records no zone.
    expect(await asset(result.assetId)).toMatchObject({
      capturedAt: '2018-07-25T16:34:23.935Z',
      capturedOffsetMinutes: null,
    });
  });

  it('keeps the wall-clock time of a photo whose EXIF has a zone, and the zone apart', async () => {
    const result = await uploadCorpusFile(server.baseUrl, owner.auth, 'IMG_5195.HEIC');
    expectUploaded(result);
    expect(await asset(result.assetId)).toMatchObject({
      capturedAt: '2021-04-11T15:47:53.054Z',
      capturedOffsetMinutes: -300,
    });
  });

  it('dates a photo without EXIF by the client’s capturedAt, else by the upload time', async () => {
    const withDate = await uploadCorpusFile(server.baseUrl, owner.auth, 'no_exif.jpg', {
      capturedAt: '2019-06-01T12:00:00+02:00',
    });
    expectUploaded(withDate);
    expect(await asset(withDate.assetId)).toMatchObject({
      capturedAt: '2019-06-01T12:00:00.000Z',
      capturedOffsetMinutes: 120,
    });

    const bytes = await readCorpusFile('Photo (1).webp');
    const before = Date.now();
    const undated = await tusUpload(server.baseUrl, owner.auth, {
      bytes,
      filename: 'undated.webp',
      type: 'image/webp',
    });
    expectUploaded(undated);
    const stored = await asset(undated.assetId);
    expect(stored.capturedAt).toBe(stored.uploadedAt);
    expect(stored.capturedOffsetMinutes).toBe(0);
    expect(Date.parse(stored.capturedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('uploads a 4 MB photo in 1 MiB PATCHes', async () => {
    const expected = corpusFile('iphone_hdr_YES.jpg');
    const result = await uploadCorpusFile(server.baseUrl, owner.auth, 'iphone_hdr_YES.jpg', {
      chunkSize: 1024 * 1024,
    });
    expectUploaded(result);
    expect(result.patches).toBe(2);

    const big = corpusFile('IMG_20180725_163423.jpg');
    const bytes = await readCorpusFile(big.filename);
    // A different source hash, so the earlier upload of the same bytes is not a duplicate.
    const chunked = await tusUpload(server.baseUrl, owner.auth, {
      bytes,
      filename: 'pixel.jpg',
      type: 'image/jpeg',
      sourceSha256: 'c'.repeat(64),
      chunkSize: 1024 * 1024,
    });
    expectUploaded(chunked);
    expect(chunked.patches).toBe(4);
    const stored = await asset(chunked.assetId);
    expect(stored.sha256).toBe(big.sha256);
    expect(Buffer.compare(await original(chunked.assetId), bytes)).toBe(0);
    expect((await asset(result.assetId)).sha256).toBe(expected.sha256);
  });

  it('takes a photo in the one request that creates its upload (creation-with-upload)', async () => {
    const expected = corpusFile('HTC One.jpg');
    const result = await uploadCorpusFile(server.baseUrl, owner.auth, expected.filename, {
      dataDuringCreation: true,
    });
    expectUploaded(result);
    expect(result).toMatchObject({ outcome: 'created', patches: 0 });
    expect((await asset(result.assetId)).sha256).toBe(expected.sha256);
    expect(sha256Hex(await original(result.assetId))).toBe(expected.sha256);
    expect(await uploads()).toEqual([]);

    // The same photo again: the existing asset, and nothing kept.
    const again = await uploadCorpusFile(server.baseUrl, owner.auth, expected.filename, {
      dataDuringCreation: true,
    });
    expectUploaded(again);
    expect(again).toMatchObject({ outcome: 'duplicate', assetId: result.assetId });
    expect(await uploads()).toEqual([]);
  });

  it('goes on with PATCHes after a first chunk sent with the creation', async () => {
    const big = corpusFile('IMG_20180725_163423.jpg');
    const bytes = await readCorpusFile(big.filename);
    const result = await tusUpload(server.baseUrl, owner.auth, {
      bytes,
      filename: 'first chunk.jpg',
      type: 'image/jpeg',
      sourceSha256: 'd'.repeat(64),
      chunkSize: 1024 * 1024,
      dataDuringCreation: true,
    });
    expectUploaded(result);
    expect(result.patches).toBe(3);
    expect(Buffer.compare(await original(result.assetId), bytes)).toBe(0);
  });

  it('answers a creation that carries bytes it refuses with the sentence, and keeps nothing', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 1);
    const declared = await tusUpload(server.baseUrl, owner.auth, {
      bytes: body,
      filename: 'archive.zip',
      type: 'application/zip',
      dataDuringCreation: true,
    });
    expectRejected(declared);
    expect(declared).toMatchObject({ step: 'create', status: 415 });
    expect(declared.error.error.message).toBe(
      'The file is not a photo or video in a format this server knows.',
    );

    const tampered = await tusUpload(server.baseUrl, owner.auth, {
      bytes: await readCorpusFile('Canon_40D.jpg'),
      filename: 'tampered.jpg',
      type: 'image/jpeg',
      sha256: 'e'.repeat(64),
      dataDuringCreation: true,
    });
    expectRejected(tampered);
    expect(tampered).toMatchObject({ step: 'create', status: 460 });
    expect(await uploads()).toEqual([]);
  });

  it('reads and drops the body of a creation it refuses unread, so the connection carries the next request', async () => {
    // A creation of a photo over the limit, refused before a byte of its 8 MiB body is read, on a
    // connection kept alive. A GET follows right behind the body, as a client that keeps sending
    // sends it: it is answered only once the server has read past the body.
    const metadata = encodeMetadata({ filename: 'huge.jpg', type: 'image/jpeg' });
    const auth = Object.entries(authHeaders(owner.auth))
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    const body = Buffer.alloc(8 * 1024 * 1024, 1);
    const { hostname, port } = new URL(server.baseUrl);
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    const statuses = (): string[] =>
      [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1] ?? '');
    try {
      socket.write(
        `POST /api/uploads HTTP/1.1\r\nHost: ${hostname}\r\n${auth}Tus-Resumable: 1.0.0\r\n` +
          `Upload-Length: 80000000\r\nUpload-Metadata: ${metadata}\r\n` +
          `Content-Type: application/offset+octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      socket.write(body);
      socket.write(`GET /api/me HTTP/1.1\r\nHost: ${hostname}\r\n${auth}\r\n`);
      await expect.poll(statuses, { timeout: 15_000, interval: 50 }).toEqual(['413', '200']);
    } finally {
      socket.destroy();
    }
    expect(await uploads()).toEqual([]);
  });

  it('resumes from the offset the server reports', async () => {
    const bytes = await readCorpusFile('DSCN0010.jpg');
    const sha256 = sha256Hex(bytes);
    const created = await fetch(`${server.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: {
        ...owner.auth,
        'tus-resumable': '1.0.0',
        'upload-length': String(bytes.length),
        'upload-metadata': encodeMetadata({
          filename: 'DSCN0010.jpg',
          type: 'image/jpeg',
          sha256,
          sourceSha256: sha256,
        }),
      },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(/^\/api\/uploads\/[0-9a-f-]{36}_[0-9a-f]{32}$/);
    const url = `${server.baseUrl}${location}`;
    const patch = (offset: number, chunk: Uint8Array<ArrayBuffer>): Promise<Response> =>
      fetch(url, {
        method: 'PATCH',
        headers: {
          ...owner.auth,
          'tus-resumable': '1.0.0',
          'upload-offset': String(offset),
          'content-type': 'application/offset+octet-stream',
        },
        body: chunk,
      });
    expect((await patch(0, bodyOf(bytes.subarray(0, 50_000)))).status).toBe(204);

    const head = await fetch(url, { method: 'HEAD', headers: { ...owner.auth, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('50000');
    expect(head.headers.get('cache-control')).toBe('no-store');

    const conflict = await patch(10, bodyOf(bytes.subarray(10)));
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as ApiErrorBody).error.code).toBe('UPLOAD_CONFLICT');

    const rest = await patch(50_000, bodyOf(bytes.subarray(50_000)));
    expect(rest.status).toBe(204);
    expect(rest.headers.get('shoebox-upload-outcome')).toBe('created');
    expect((await asset(rest.headers.get('shoebox-asset-id') ?? '')).sha256).toBe(sha256);

    // Finished, it stays finished: its end answers with the same asset, and nothing is stored twice.
    const again = await patch(bytes.length, new Uint8Array(0));
    expect(again.status).toBe(204);
    expect(again.headers.get('shoebox-asset-id')).toBe(rest.headers.get('shoebox-asset-id'));
    expect((await patch(10, bodyOf(bytes.subarray(10)))).status).toBe(409);
  });

  it('rejects bytes that do not match their SHA-256 with 460 and keeps nothing', async () => {
    const bytes = await readCorpusFile('Nexus 4.jpg');
    const assetsBefore = await allAssets();
    const blobsBefore = await blobs();
    const result = await tusUpload(server.baseUrl, owner.auth, {
      bytes,
      filename: 'Nexus 4.jpg',
      type: 'image/jpeg',
      sha256: 'd'.repeat(64),
      sourceSha256: corpusFile('Nexus 4.jpg').sha256,
      chunkSize: 1024 * 1024,
    });
    expectRejected(result);
    expect(result.status).toBe(460);
    expect(result.error.error.code).toBe('CHECKSUM_MISMATCH');
    expect(await allAssets()).toEqual(assetsBefore);
    expect(await blobs()).toEqual(blobsBefore);
    expect(await uploads()).toEqual([]);

    const gone = await fetch(`${server.baseUrl}${result.location ?? ''}`, {
      method: 'HEAD',
      headers: { ...owner.auth, 'tus-resumable': '1.0.0' },
    });
    expect(gone.status).toBe(404);
  });

  it('answers the same photo twice with the same asset and stores it once', async () => {
    const first = await uploadCorpusFile(server.baseUrl, owner.auth, 'Canon IXUS.jpg');
    expectUploaded(first);
    expect(first.outcome).toBe('created');
    const blobCount = (await blobs()).length;

    const second = await uploadCorpusFile(server.baseUrl, owner.auth, 'canon-ixus.jpg');
    expectUploaded(second);
    expect(second).toMatchObject({ outcome: 'duplicate', assetId: first.assetId });
    expect(await blobs()).toHaveLength(blobCount);
    expect(await uploads()).toEqual([]);
    const sha = corpusFile('canon-ixus.jpg').sha256;
    expect((await allAssets()).filter((item) => item.sourceSha256 === sha)).toHaveLength(1);
  });

  it('refuses an over-limit Upload-Length with 413 and the limit in a sentence', async () => {
    const result = await tusUpload(server.baseUrl, owner.auth, {
      bytes: new Uint8Array(10),
      filename: 'huge.jpg',
      type: 'image/jpeg',
      uploadLength: 80_000_000,
    });
    expectRejected(result);
    expect(result).toMatchObject({ step: 'create', status: 413 });
    expect(result.error.error).toEqual({ code: 'TOO_LARGE', message: "Photos can't exceed 75 MB (80 MB)." });

    const video = await tusUpload(server.baseUrl, owner.auth, {
      bytes: new Uint8Array(10),
      filename: 'long.mp4',
      type: 'video/mp4',
      uploadLength: 20_000_000_000,
    });
    expectRejected(video);
    expect(video.status).toBe(413);
    expect(video.error.error.message).toBe("Videos can't exceed 10 GB (20 GB).");
  });

  it('refuses what is not a photo or video with 415', async () => {
    // A declared type is only a hint (a generic client may send application/octet-stream for a
    // photo): the bytes decide, once they are all there.
    const declared = await tusUpload(server.baseUrl, owner.auth, {
      bytes: Buffer.from('%PDF-1.7 not a photo'),
      filename: 'tax return.pdf',
      type: 'application/pdf',
    });
    expectRejected(declared);
    expect(declared).toMatchObject({ step: 'patch', status: 415 });
    expect(declared.error.error).toEqual({
      code: 'UNSUPPORTED_TYPE',
      message: 'The file is not a photo or video in a format this server knows.',
    });

    const empty = await tusUpload(server.baseUrl, owner.auth, {
      bytes: new Uint8Array(0),
      filename: 'zero-byte.jpg',
      type: 'image/jpeg',
    });
    expectRejected(empty);
    expect(empty.status).toBe(415);
    expect(empty.error.error.message).toBe('The file is empty.');

    // Named and typed as a photo, but the bytes say otherwise.
    const disguised = await tusUpload(server.baseUrl, owner.auth, {
      bytes: Buffer.from('#!/bin/sh\necho not a photo\n'),
      filename: 'holiday.jpg',
      type: 'image/jpeg',
    });
    expectRejected(disguised);
    expect(disguised).toMatchObject({ step: 'patch', status: 415 });
    expect(await uploads()).toEqual([]);
    expect((await allAssets()).some((item) => item.filename === 'holiday.jpg')).toBe(false);
  });

  it('requires a declared length, or a deferred one', async () => {
    const post = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${server.baseUrl}/api/uploads`, {
        method: 'POST',
        headers: { ...owner.auth, 'tus-resumable': '1.0.0', ...headers },
      });
    const neither = await post({ 'upload-metadata': encodeMetadata({ filename: 'a.jpg' }) });
    expect(neither.status).toBe(400);
    expect(((await neither.json()) as ApiErrorBody).error.code).toBe('BAD_REQUEST');
    const both = await post({ 'upload-length': '100', 'upload-defer-length': '1' });
    expect(both.status).toBe(400);
  });

  it('answers protocol errors with JSON too', async () => {
    const noVersion = await fetch(`${server.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: { ...owner.auth, 'upload-length': '5' },
    });
    expect(noVersion.status).toBe(412);
    expect(noVersion.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await noVersion.json()) as ApiErrorBody).error.code).toBe('TUS_VERSION_UNSUPPORTED');

    const badLength = await fetch(`${server.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: { ...owner.auth, 'tus-resumable': '1.0.0', 'upload-length': 'lots' },
    });
    expect(badLength.status).toBe(400);
    expect(((await badLength.json()) as ApiErrorBody).error.code).toBe('BAD_REQUEST');
  });

  it('advertises the protocol and the largest size on OPTIONS', async () => {
    // No credentials: a browser's CORS preflight never carries any.
    const response = await fetch(`${server.baseUrl}/api/uploads`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('tus-version')).toBe('1.0.0');
    expect(response.headers.get('tus-extension')?.split(',').sort()).toEqual(
      [
        'checksum',
        'creation',
        'creation-defer-length',
        'creation-with-upload',
        'expiration',
        'termination',
      ].sort(),
    );
    expect(response.headers.get('tus-checksum-algorithm')).toBe('sha1,sha256');
    expect(response.headers.get('tus-max-size')).toBe('10000000000');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('hides one user’s upload from another', async () => {
    const member = await createMember(server.baseUrl, owner);
    const bytes = await readCorpusFile('HTC One.jpg');
    const sha256 = sha256Hex(bytes);
    const created = await fetch(`${server.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: {
        ...owner.auth,
        'tus-resumable': '1.0.0',
        'upload-length': String(bytes.length),
        'upload-metadata': encodeMetadata({
          filename: 'HTC One.jpg',
          type: 'image/jpeg',
          sha256,
          sourceSha256: sha256,
        }),
      },
    });
    const url = `${server.baseUrl}${created.headers.get('location') ?? ''}`;
    const tus = { 'tus-resumable': '1.0.0' };

    const head = await fetch(url, { method: 'HEAD', headers: { ...member.auth, ...tus } });
    expect(head.status).toBe(404);
    const patch = await fetch(url, {
      method: 'PATCH',
      headers: {
        ...member.auth,
        ...tus,
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      body: bodyOf(bytes.subarray(0, 1000)),
    });
    expect(patch.status).toBe(404);
    expect(((await patch.json()) as ApiErrorBody).error.code).toBe('UPLOAD_NOT_FOUND');
    const del = await fetch(url, { method: 'DELETE', headers: { ...member.auth, ...tus } });
    expect(del.status).toBe(404);

    const mine = await fetch(url, { method: 'HEAD', headers: { ...owner.auth, ...tus } });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('upload-offset')).toBe('0');
    const terminated = await fetch(url, { method: 'DELETE', headers: { ...owner.auth, ...tus } });
    expect(terminated.status).toBe(204);
    expect(await uploads()).toEqual([]);
  });
});

describe('the pixel limit', () => {
  it('refuses a photo over the megapixel limit with 413 and keeps nothing', async () => {
    const server = await startServer({ env: { SHOEBOX_MAX_PHOTO_PIXELS: '10000000' } });
    try {
      const owner = await createOwner(server.baseUrl);
      const result = await uploadCorpusFile(server.baseUrl, owner.auth, 'IMG_20180725_163423.jpg');
      expectRejected(result);
      expect(result).toMatchObject({ step: 'patch', status: 413 });
      expect(result.error.error).toEqual({
        code: 'TOO_LARGE',
        message: 'Larger than 10 megapixels (12.3 MP).',
      });
      expect(await listFiles(path.join(server.dataDir, 'blobs'))).toEqual([]);
      expect(await listFiles(path.join(server.dataDir, 'uploads'))).toEqual([]);

      const small = await uploadCorpusFile(server.baseUrl, owner.auth, 'Canon_40D.jpg');
      expectUploaded(small);
    } finally {
      await server.close();
    }
  });
});
