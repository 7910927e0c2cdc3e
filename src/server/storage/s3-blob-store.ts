import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
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

/** The most one CopyObject may copy (S3's limit for a single copy request). */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;

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
    /** Objects up to this size are copied by the store itself (copyFrom); larger ones are streamed. */
    readonly maxCopyBytes: number = MAX_COPY_BYTES,
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
      await this.#expectSize(key, size);
    }
    await fs.rm(sourcePath, { force: true });
  }

  /**
   * Stores under `key` the object `sourceKey` of `size` bytes in the same bucket (a finished tus
   * upload: a key of the bucket's own, not under this store's prefix), which stays where it is.
   * The object store copies it itself (CopyObject), no byte passing through this process, up to
   * maxCopyBytes (5 GiB, the most one request may copy); a larger one, a long video, is streamed
   * through with lib-storage's multipart Upload. An existing key keeps its bytes, as with putFile.
   */
  async copyFrom(key: string, sourceKey: string, size: number): Promise<void> {
    if (await this.exists(key)) return;
    const Key = this.objectKey(key);
    if (size <= this.maxCopyBytes) {
      const CopySource = `${this.bucket}/${keySegments(sourceKey).join('/')}`;
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key, CopySource }));
    } else {
      const { Body } = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: keySegments(sourceKey).join('/') }),
      );
      if (!(Body instanceof Readable)) throw new Error(`The object store gave no stream for ${sourceKey}.`);
      await new Upload({ client: this.client, params: { Bucket: this.bucket, Key, Body } }).done();
    }
    await this.#expectSize(key, size);
  }

  /** The SDK sends no checksum (s3.ts): a short object is caught here, and goes. */
  async #expectSize(key: string, size: number): Promise<void> {
    const stored = await this.stat(key);
    if (stored?.size !== size) {
      await this.delete(key);
      throw new Error(
        `The object store kept ${stored?.size ?? 0} of ${size} bytes of ${this.objectKey(key)}.`,
      );
    }
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
