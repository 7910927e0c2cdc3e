/**
 * Issue 14: originals and thumbnails in an S3-compatible store (s3rver) when S3_BUCKET is set,
 * through the real server: uploads stored there and nowhere in the data directory, served whole
 * and by Range from the store, thumbnails made from it and served from it, and the trash emptied
 * from it.
 */
import fs from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetDetails } from '../../src/shared/api';
import { buildApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { blobKeyFor, thumbKeyFor } from '../../src/server/storage/blob-store';
import { createS3Client } from '../../src/server/storage/s3';
import { S3BlobStore } from '../../src/server/storage/s3-blob-store';
import { startTestS3, type TestS3 } from '../../src/server/storage/s3-testing';
import {
  api,
  bodyOf,
  corpusFile,
  createOwner,
  jobsIdle,
  listFiles,
  makeTempDir,
  readCorpusFile,
  sha256Hex,
  startServer,
  uploadCorpusFile,
  type Account,
  type TestServer,
} from './helpers';
import { s3Env } from './s3-env';

const PHOTO = 'Canon_40D.jpg';
const VIDEO = 'with-gps.mp4';

describe('blobs in S3 (S3_BUCKET)', () => {
  let s3: TestS3;
  let server: TestServer;
  let owner: Account;
  let originals: S3BlobStore;
  let thumbs: S3BlobStore;
  const ids = new Map<string, string>();
  /** s3rver's requests up to the end of the uploads and their jobs. */
  let readsBeforeServing: string[] = [];
  const idOf = (filename: string): string => ids.get(filename) ?? '';

  beforeAll(async () => {
    s3 = await startTestS3();
    const { location } = s3;
    server = await startServer({
      env: s3Env(s3),
    });
    owner = await createOwner(server.baseUrl);
    const client = createS3Client(location);
    originals = new S3BlobStore(client, location.bucket, 'originals/');
    thumbs = new S3BlobStore(client, location.bucket, 'thumbs/');
    for (const filename of [PHOTO, VIDEO]) {
      const result = await uploadCorpusFile(server.baseUrl, owner.auth, filename);
      if (!result.ok) throw new Error(`${filename}: ${JSON.stringify(result.error)}`);
      ids.set(filename, result.assetId);
    }
    await jobsIdle(server);
    readsBeforeServing = [...s3.requests];
  });
  afterAll(async () => {
    await server.close();
    await s3.close();
  });

  it('stores each original in the bucket, under its hash, and none in the data directory', async () => {
    for (const filename of [PHOTO, VIDEO]) {
      const { sha256, bytes } = corpusFile(filename);
      expect(await originals.stat(blobKeyFor(owner.user.id, sha256))).toEqual({ size: bytes });
    }
    expect(await listFiles(`${server.dataDir}/blobs`)).toEqual([]);
    expect(await listFiles(`${server.dataDir}/thumbs`)).toEqual([]);
  });

  it('has /api/health check the bucket: reachable, ok; gone, 503 naming the store', async () => {
    const health = await api<{ store: string }>(server.baseUrl, 'GET', '/api/health', { auth: null });
    expect(health.body.store).toBe('ok');
    const other = await startTestS3();
    const cutOff = await startServer({ env: s3Env(other), app: { startJobs: false } });
    try {
      await other.close();
      const refused = await api<{ database: string; store: string }>(cutOff.baseUrl, 'GET', '/api/health', {
        auth: null,
      });
      expect({ status: refused.status, ...refused.body }).toMatchObject({
        status: 503,
        database: 'ok',
        store: 'unavailable',
      });
    } finally {
      await cutOff.close();
    }
  });

  it('refuses to start on a bucket that does not exist or cannot be reached, saying which', async () => {
    // The bucket is checked whatever the database: SQLite in a temporary folder here.
    const dataDir = await makeTempDir();
    const start = (env: Record<string, string>): Promise<unknown> =>
      buildApp(loadConfig({ SHOEBOX_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...s3Env(s3), ...env }));
    try {
      await expect(start({ S3_BUCKET: 'no-such-bucket' })).rejects.toThrow(
        /^S3_BUCKET no-such-bucket at http:\/\/127\.0\.0\.1:\d+ cannot be used: there is no such bucket\./,
      );
      // Nothing listens on port 1.
      await expect(start({ S3_ENDPOINT: 'http://127.0.0.1:1' })).rejects.toThrow(
        /^S3_BUCKET shoebox-test at http:\/\/127\.0\.0\.1:1 cannot be used: .*ECONNREFUSED/,
      );
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('reads nothing of a video to give it its placeholder (its poster comes from the app)', async () => {
    const details = await api<AssetDetails>(server.baseUrl, 'GET', `/api/assets/${idOf(VIDEO)}`, {
      auth: owner.auth,
    });
    expect(details.body.thumb).toMatchObject({ state: 'placeholder', code: 'video' });
    const videoKey = originals.objectKey(blobKeyFor(owner.user.id, corpusFile(VIDEO).sha256));
    expect(
      readsBeforeServing.filter((request) => request === `GET /${s3.location.bucket}/${videoKey}`),
    ).toEqual([]);
  });

  it('serves an original whole and a video by Range, from the store', async () => {
    const whole = await fetch(`${server.baseUrl}/api/assets/${idOf(PHOTO)}/original`, {
      headers: owner.auth,
    });
    expect(whole.status).toBe(200);
    expect(sha256Hex(Buffer.from(await whole.arrayBuffer()))).toBe(corpusFile(PHOTO).sha256);

    const video = await readCorpusFile(VIDEO);
    const part = await fetch(`${server.baseUrl}/api/assets/${idOf(VIDEO)}/original`, {
      headers: { ...owner.auth, range: 'bytes=1000-1999' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${video.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(video.subarray(1000, 2000))).toBe(true);
  });

  it('makes the thumbnails from the stored photo and keeps them in the bucket', async () => {
    const details = await api<AssetDetails>(server.baseUrl, 'GET', `/api/assets/${idOf(PHOTO)}`, {
      auth: owner.auth,
    });
    expect(details.body.thumb).toEqual({ state: 'ready', version: expect.any(String) });
    const { version } = details.body.thumb as { version: string };
    const small = thumbKeyFor(owner.user.id, idOf(PHOTO), version, 's');
    expect((await thumbs.stat(small))?.size).toBeGreaterThan(0);
    const served = await fetch(`${server.baseUrl}/api/assets/${idOf(PHOTO)}/thumb?size=s`, {
      headers: owner.auth,
    });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect((await served.arrayBuffer()).byteLength).toBe((await thumbs.stat(small))?.size);
  });

  it('keeps a video’s preview, made from the poster frame the app sends, in the bucket', async () => {
    const frame = await sharp(corpusFile('Landscape_1.jpg').path)
      .resize({ width: 640, height: 360 })
      .jpeg()
      .toBuffer();
    const posted = await fetch(`${server.baseUrl}/api/assets/${idOf(VIDEO)}/poster`, {
      method: 'POST',
      headers: { ...owner.auth, 'content-type': 'image/jpeg' },
      body: bodyOf(frame),
    });
    expect(posted.status).toBe(200);
    const { thumb } = (await posted.json()) as AssetDetails;
    expect(thumb).toMatchObject({ state: 'ready' });
    const { version } = thumb as { version: string };
    for (const size of ['s', 'l'] as const) {
      expect(
        (await thumbs.stat(thumbKeyFor(owner.user.id, idOf(VIDEO), version, size)))?.size,
      ).toBeGreaterThan(0);
    }
    expect(await listFiles(`${server.dataDir}/thumbs`)).toEqual([]);
  });

  it('deletes the original and its thumbnails from the bucket when the trash is emptied', async () => {
    const { version } = (
      await api<AssetDetails>(server.baseUrl, 'GET', `/api/assets/${idOf(PHOTO)}`, { auth: owner.auth })
    ).body.thumb as { version: string };
    expect(
      (await api(server.baseUrl, 'DELETE', `/api/assets/${idOf(PHOTO)}`, { auth: owner.auth })).status,
    ).toBe(200);
    const emptied = await api<{ purged: number }>(server.baseUrl, 'DELETE', '/api/trash', {
      auth: owner.auth,
    });
    expect(emptied.body).toEqual({ purged: 1 });
    expect(await originals.exists(blobKeyFor(owner.user.id, corpusFile(PHOTO).sha256))).toBe(false);
    expect(await thumbs.exists(thumbKeyFor(owner.user.id, idOf(PHOTO), version, 's'))).toBe(false);
    expect(await thumbs.exists(thumbKeyFor(owner.user.id, idOf(PHOTO), version, 'l'))).toBe(false);
  });
});
