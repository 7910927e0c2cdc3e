import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { describeBlobStoreContract } from './blob-store.contract';
import { createS3Client } from './s3';
import { S3BlobStore } from './s3-blob-store';
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
