import {
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../storage/s3';
import { startTestS3, type TestS3 } from '../storage/s3-testing';
import { removeStrayS3Uploads } from './s3-strays';
import { newUploadId } from './upload-id';

const OWNER = '2a180477-b8d5-4f74-80b3-c2d2616ec360';

let s3: TestS3;
let client: S3Client;
beforeAll(async () => {
  s3 = await startTestS3();
  client = createS3Client(s3.location);
});
afterAll(async () => {
  client.destroy();
  await s3.close();
});

const put = (Key: string): Promise<unknown> =>
  client.send(new PutObjectCommand({ Bucket: s3.location.bucket, Key, Body: 'x' }));

async function keys(): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.location.bucket }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

describe('removeStrayS3Uploads', () => {
  it('deletes the objects of old uploads that completed but were never finished, and nothing else', async () => {
    // Completed (the multipart upload is no more), never finished: the object, its record, a tail.
    const stray = newUploadId(OWNER);
    for (const key of [stray, `${stray}.info`, `${stray}.part`]) await put(key);
    // Unfinished: a multipart upload beside its record, for deleteExpired to judge.
    const unfinished = newUploadId(OWNER);
    await put(`${unfinished}.info`);
    await client.send(new CreateMultipartUploadCommand({ Bucket: s3.location.bucket, Key: unfinished }));
    // Not tus's: a stored original, and a record-like key that is no upload id.
    await put(`originals/${OWNER}/ab/cd.info`);
    await put('notes.info');
    const before = await keys();

    // Not old enough: nothing goes.
    expect(await removeStrayS3Uploads(client, s3.location.bucket, new Date(Date.now() - 60_000))).toBe(0);
    expect(await keys()).toEqual(before);

    expect(await removeStrayS3Uploads(client, s3.location.bucket, new Date(Date.now() + 60_000))).toBe(1);
    expect(await keys()).toEqual(
      [`${unfinished}.info`, 'notes.info', `originals/${OWNER}/ab/cd.info`].sort(),
    );
  });
});
