import {
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { uploadOwner } from './upload-id';

/** DeleteObjects takes at most 1,000 keys: three per upload. */
const UPLOADS_PER_DELETE = 333;

/** The keys of the bucket's multipart uploads under `prefix`, every page of them. */
export async function multipartKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, UploadIdMarker }),
    );
    for (const { Key } of page.Uploads ?? []) if (Key !== undefined) keys.push(Key);
    if (page.IsTruncated !== true) return keys;
    KeyMarker = page.NextKeyMarker;
    UploadIdMarker = page.NextUploadIdMarker;
  }
}

/**
 * Deletes the uploads that completed but were never finished, whose `.info` record is older than
 * `olderThan`: all their bytes arrived (S3 completed the multipart upload, so @tus/s3-store's
 * deleteExpired, which lists multipart uploads, never sees them), then the process was killed
 * before it stored the file, and their client never asked again. A creation that carried the
 * whole file and whose answer never came is one: the client knows no URL to ask, and starts
 * again. Their `<id>`, `<id>.info` and `<id>.part` go; answers how many uploads.
 */
export async function removeStrayS3Uploads(
  client: S3Client,
  bucket: string,
  olderThan: Date,
): Promise<number> {
  const records: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    // The bucket's top level only, where tus keeps its uploads (originals/ and thumbs/ are folders).
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', ContinuationToken }),
    );
    for (const { Key = '', LastModified } of page.Contents ?? []) {
      const id = Key.endsWith('.info') ? Key.slice(0, -'.info'.length) : '';
      if (uploadOwner(id) !== null && LastModified !== undefined && LastModified < olderThan)
        records.push(id);
    }
    ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (ContinuationToken !== undefined);
  if (records.length === 0) return 0;
  const unfinished = new Set(await multipartKeys(client, bucket, ''));
  const strays = records.filter((id) => !unfinished.has(id));
  for (let i = 0; i < strays.length; i += UPLOADS_PER_DELETE) {
    const keys = strays.slice(i, i + UPLOADS_PER_DELETE).flatMap((id) => [id, `${id}.info`, `${id}.part`]);
    await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
  }
  return strays.length;
}
