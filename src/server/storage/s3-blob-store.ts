import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { keySegments, type BlobStore, type ByteRange } from './blob-store';

/** Whether an S3 error says there is no such object (HeadObject answers a bare 404). */
export function isS3NotFound(error: unknown): boolean {
  const failure = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  return (
    failure?.name === 'NotFound' ||
    failure?.name === 'NoSuchKey' ||
    failure?.$metadata?.httpStatusCode === 404
  );
}

/**
 * Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2), under `prefix`
 * (`originals/`, `thumbs/`). Files go up with @aws-sdk/lib-storage's Upload: one PUT for a photo,
 * a multipart upload of a few parts at a time for a large video, never the whole file in memory.
 */
export class S3BlobStore implements BlobStore {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    readonly prefix: string,
  ) {}

  objectKey(key: string): string {
    return `${this.prefix}${keySegments(key).join('/')}`;
  }

  async putFile(key: string, sourcePath: string): Promise<void> {
    const objectKey = this.objectKey(key);
    if (!(await this.exists(key))) {
      const { size } = await fs.stat(sourcePath);
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: objectKey, Body: createReadStream(sourcePath) },
      });
      await upload.done();
      // The SDK sends no checksum (s3.ts): a short object is caught here, and goes.
      const stored = await this.stat(key);
      if (stored?.size !== size) {
        await this.delete(key);
        throw new Error(`The object store kept ${stored?.size ?? 0} of ${size} bytes of ${objectKey}.`);
      }
    }
    await fs.rm(sourcePath, { force: true });
  }

  async createReadStream(key: string, range?: ByteRange): Promise<Readable> {
    const { Body } = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
      }),
    );
    // In Node the SDK answers with the response itself (an IncomingMessage), read as it arrives.
    if (!(Body instanceof Readable)) throw new Error(`The object store gave no stream for ${key}.`);
    return Body;
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isS3NotFound(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    // S3 answers a delete of a missing object with success.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }
}
