/**
 * Issue 14: unfinished uploads in the bucket through @tus/s3-store when S3_BUCKET is set (s3rver
 * with the multipart operations patched in, see s3-testing.ts). Chunks go to S3 multipart parts
 * (a short tail as a `.part` object), nothing of an upload touches the server's disk but its
 * scratch folder, finishing reads the stored object and copies it into `originals/`, and the
 * per-user quota and tus expiration work from what the bucket holds.
 */
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetDetails } from '../../src/shared/api';
import { ASSET_ID_HEADER, TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../src/shared/tus';
import { blobKeyFor } from '../../src/server/storage/blob-store';
import { createS3Client } from '../../src/server/storage/s3';
import { S3BlobStore } from '../../src/server/storage/s3-blob-store';
import { startTestS3, type TestS3 } from '../../src/server/storage/s3-testing';
import { UNFINISHED_UPLOAD_KEEP_MS } from '../../src/server/uploads/tus-server';
import {
  api,
  authHeaders,
  bodyOf,
  createMember,
  createOwner,
  encodeMetadata,
  jobsIdle,
  listFiles,
  readCorpusFile,
  sha256Hex,
  startServer,
  type Account,
  type Auth,
  type TestServer,
} from './helpers';
import { s3Env } from './s3-env';

const MiB = 1024 * 1024;
/** Photos above this go to no local copy: the video below is read by ranged requests only. */
const MAX_PHOTO_BYTES = 200_000;

const tusHeaders = (auth: Auth): Record<string, string> => ({
  ...authHeaders(auth),
  'tus-resumable': '1.0.0',
});

/** Creates an upload of `length` bytes of a video, carrying `first` (tus creation-with-upload). */
async function create(baseUrl: string, auth: Auth, length: number, first: Uint8Array): Promise<Response> {
  return fetch(`${baseUrl}${TUS_ENDPOINT}`, {
    method: 'POST',
    headers: {
      ...tusHeaders(auth),
      'upload-length': String(length),
      'upload-metadata': encodeMetadata({ filename: 'long-video.mp4', type: 'video/mp4' }),
      'content-type': 'application/offset+octet-stream',
    },
    body: bodyOf(first),
  });
}

function patch(url: URL, auth: Auth, offset: number, bytes: Uint8Array): Promise<Response> {
  return fetch(url, {
    method: 'PATCH',
    headers: {
      ...tusHeaders(auth),
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    },
    body: bodyOf(bytes),
  });
}

/** The keys at the bucket's root (where tus keeps its uploads), outside originals/ and thumbs/. */
async function rootKeys(client: S3Client, bucket: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

async function multipartKeys(client: S3Client, bucket: string): Promise<string[]> {
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (listed.Uploads ?? []).map((upload) => upload.Key ?? '');
}

describe('unfinished uploads in S3 (@tus/s3-store)', () => {
  let s3: TestS3;
  let server: TestServer;
  let owner: Account;
  let client: S3Client;
  let bucket: string;

  beforeAll(async () => {
    s3 = await startTestS3();
    bucket = s3.location.bucket;
    client = createS3Client(s3.location);
    server = await startServer({ env: { ...s3Env(s3), SHOEBOX_MAX_PHOTO_BYTES: String(MAX_PHOTO_BYTES) } });
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
    client.destroy();
    await s3.close();
  });

  it('keeps an upload in multipart parts in the bucket, none on disk, then stores it once in originals', async () => {
    // A 12 MiB video: the corpus's, then bytes no reader looks at (an mp4 ends where its boxes say).
    const video = await readCorpusFile('with-gps.mp4');
    const bytes = Buffer.concat([video, Buffer.alloc(12 * MiB - video.length, 7)]);
    // 6 MiB (a whole part), then 1 MiB twice (kept as the `.part` tail), then the rest.
    const created = await create(server.baseUrl, owner.auth, bytes.length, bytes.subarray(0, 6 * MiB));
    expect(created.status).toBe(201);
    const url = new URL(created.headers.get('location') ?? '', server.baseUrl);
    const id = path.basename(url.pathname);
    for (const offset of [6 * MiB, 7 * MiB]) {
      expect((await patch(url, owner.auth, offset, bytes.subarray(offset, offset + MiB))).status).toBe(204);
    }
    expect(await multipartKeys(client, bucket)).toEqual([id]);
    expect((await rootKeys(client, bucket)).sort()).toEqual([`${id}.info`, `${id}.part`]);
    expect(await listFiles(path.join(server.dataDir, 'uploads'))).toEqual([]);
    const head = await fetch(url, { method: 'HEAD', headers: tusHeaders(owner.auth) });
    expect(head.headers.get('upload-offset')).toBe(String(8 * MiB));

    const before = s3.requests.length;
    const last = await patch(url, owner.auth, 8 * MiB, bytes.subarray(8 * MiB));
    expect(last.status).toBe(204);
    expect(last.headers.get(UPLOAD_OUTCOME_HEADER)).toBe('created');
    // The request read the upload's `.info` once, however often the store asked for it (it holds
    // the upload's lock), and aborted no multipart upload: S3 completed it.
    const during = s3.requests.slice(before);
    expect(during.filter((request) => request === `GET /${bucket}/${id}.info`)).toHaveLength(1);
    expect(during.filter((request) => request === `DELETE /${bucket}/${id}`)).toEqual([]);
    const assetId = last.headers.get(ASSET_ID_HEADER) ?? '';
    const details = await api<AssetDetails>(server.baseUrl, 'GET', `/api/assets/${assetId}`, {
      auth: owner.auth,
    });
    expect(details.body).toMatchObject({ sha256: sha256Hex(bytes), bytes: bytes.length });
    // Read from the stored object by ranged requests (it is larger than any photo may be).
    expect(details.body.location).not.toBeNull();
    const originals = new S3BlobStore(client, bucket, 'originals/');
    expect(await originals.stat(blobKeyFor(owner.user.id, sha256Hex(bytes)))).toEqual({ size: bytes.length });
    expect(s3.requests.filter((request) => request === `GET /${bucket}/${id}`).length).toBeGreaterThan(1);

    // Nothing of the upload is left: no multipart upload, no object, no record, no tail.
    await jobsIdle(server);
    expect(await multipartKeys(client, bucket)).toEqual([]);
    expect(await rootKeys(client, bucket)).toEqual([]);
    expect(await listFiles(path.join(server.dataDir, 'tmp'))).toEqual([]);
    // A HEAD still says complete (the record in the database), and which asset it made.
    const again = await fetch(url, { method: 'HEAD', headers: tusHeaders(owner.auth) });
    expect(again.headers.get('upload-offset')).toBe(String(bytes.length));
    expect(again.headers.get(ASSET_ID_HEADER)).toBe(assetId);
  });

  it('counts the unfinished uploads in the bucket against the quota', async () => {
    const member = await createMember(server.baseUrl, owner);
    const quota = 10_000_000;
    await api(server.baseUrl, 'PATCH', `/api/users/${member.user.id}`, {
      auth: owner.auth,
      body: { quotaBytes: quota },
    });
    const first = await create(server.baseUrl, member.auth, 6_000_000, Buffer.alloc(1000));
    expect(first.status).toBe(201);
    const second = await create(server.baseUrl, member.auth, 5_000_000, Buffer.alloc(1000));
    expect(second.status).toBe(413);
    expect(((await second.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      message: expect.stringContaining('6 MB of 10 MB used') as string,
    });
    const firstId = path.basename(first.headers.get('location') ?? '');
    expect(await multipartKeys(client, bucket)).toEqual([firstId]);
    // tus termination: the upload goes from the bucket, and with it the room it held.
    const terminated = await fetch(new URL(first.headers.get('location') ?? '', server.baseUrl), {
      method: 'DELETE',
      headers: tusHeaders(member.auth),
    });
    expect(terminated.status).toBe(204);
    expect(await multipartKeys(client, bucket)).toEqual([]);
    expect(await rootKeys(client, bucket)).toEqual([]);
    const room = await create(server.baseUrl, member.auth, 5_000_000, Buffer.alloc(1000));
    expect(room.status).toBe(201);
    await fetch(new URL(room.headers.get('location') ?? '', server.baseUrl), {
      method: 'DELETE',
      headers: tusHeaders(member.auth),
    });
  });

  it('sends Upload-Expires, answers an expired upload 410, and the hourly job removes it from the bucket', async () => {
    const bytes = await readCorpusFile('IMG_20180725_163423.jpg');
    const old = await create(server.baseUrl, owner.auth, bytes.length, bytes.subarray(0, 1000));
    const recent = await create(server.baseUrl, owner.auth, bytes.length, bytes.subarray(0, 2000));
    const expires = Date.parse(old.headers.get('upload-expires') ?? '');
    expect(Math.abs(expires - (Date.now() + UNFINISHED_UPLOAD_KEEP_MS))).toBeLessThan(60_000);
    const oldUrl = new URL(old.headers.get('location') ?? '', server.baseUrl);
    const oldId = path.basename(oldUrl.pathname);
    const recentId = path.basename(new URL(recent.headers.get('location') ?? '', server.baseUrl).pathname);

    // Made a week and a minute ago: in its record (for the 410) and in the bucket (for the expiry).
    const then = new Date(Date.now() - UNFINISHED_UPLOAD_KEEP_MS - 60_000);
    const record = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${oldId}.info` }));
    const upload = JSON.parse((await record.Body?.transformToString()) ?? '{}') as { creation_date: string };
    upload.creation_date = then.toISOString();
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${oldId}.info`,
        Body: JSON.stringify(upload),
        Metadata: record.Metadata,
      }),
    );
    const uploads = path.join(s3.directory, bucket, '._S3rver_uploads');
    for (const dir of await fs.readdir(uploads)) {
      const key = path.join(uploads, dir, 'key');
      if ((await fs.readFile(key, 'utf8')) === oldId) await fs.utimes(key, then, then);
    }
    expect((await fetch(oldUrl, { method: 'HEAD', headers: tusHeaders(owner.auth) })).status).toBe(410);

    // Two hours later the hourly job is due, and the restarted server runs it as it starts.
    await server.stop();
    const later = (): Date => new Date(Date.now() + 2 * 60 * 60 * 1000);
    server = await startServer({
      dataDir: server.dataDir,
      env: { ...s3Env(s3), SHOEBOX_MAX_PHOTO_BYTES: String(MAX_PHOTO_BYTES) },
      app: { now: later },
    });
    await jobsIdle(server);
    expect(await multipartKeys(client, bucket)).toEqual([recentId]);
    expect((await rootKeys(client, bucket)).filter((key) => key.startsWith(oldId))).toEqual([]);
    const gone = await fetch(new URL(oldUrl.pathname, server.baseUrl), {
      method: 'HEAD',
      headers: tusHeaders(owner.auth),
    });
    expect(gone.status).toBe(404);
  });
});
