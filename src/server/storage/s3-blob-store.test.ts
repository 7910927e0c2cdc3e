import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeyFor } from './blob-store';
import { describeBlobStoreContract } from './blob-store.contract';
import { createS3Client } from './s3';
import { MAX_COPY_BYTES, S3BlobStore } from './s3-blob-store';
import { startTestS3, type TestS3 } from './s3-testing';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3.close();
});

// Each test's store under a prefix of its own in one bucket, as originals and thumbnails share one.
describeBlobStoreContract('S3 (s3rver)', () =>
  Promise.resolve(new S3BlobStore(createS3Client(s3.location), s3.location.bucket, `${randomUUID()}/`)),
);

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('S3BlobStore.copyFrom (a finished upload into originals)', () => {
  const bytes = randomBytes(100_000);
  const source = `upload-${randomUUID()}`;
  beforeAll(async () => {
    const client = createS3Client(s3.location);
    await client.send(new PutObjectCommand({ Bucket: s3.location.bucket, Key: source, Body: bytes }));
    client.destroy();
  });

  it.each([
    ['by the object store itself (CopyObject)', MAX_COPY_BYTES, false],
    ['streamed through this process above maxCopyBytes', 1000, true],
  ])('copies an object of the bucket under its key %s, and leaves the source', async (_, max, read) => {
    const store = new S3BlobStore(createS3Client(s3.location), s3.location.bucket, `${randomUUID()}/`, max);
    const key = blobKeyFor('owner-1', sha256(bytes));
    s3.requests.length = 0;
    await store.copyFrom(key, source, bytes.length);
    expect(sha256(await buffer(await store.createReadStream(key)))).toBe(sha256(bytes));
    expect(s3.requests.includes(`GET /${s3.location.bucket}/${source}`)).toBe(read);
    expect(await new S3BlobStore(store.client, s3.location.bucket, '').stat(source)).toEqual({
      size: bytes.length,
    });
    // A key that exists keeps its bytes (content-addressed, as putFile).
    await store.copyFrom(key, source, 1);
    expect(await store.stat(key)).toEqual({ size: bytes.length });
  });

  it('refuses a copy that does not come out at the expected size, and leaves nothing under the key', async () => {
    const store = new S3BlobStore(createS3Client(s3.location), s3.location.bucket, `${randomUUID()}/`);
    const key = blobKeyFor('owner-1', sha256(bytes));
    await expect(store.copyFrom(key, source, bytes.length + 1)).rejects.toThrow(
      /kept 100000 of 100001 bytes/,
    );
    expect(await store.exists(key)).toBe(false);
  });
});
