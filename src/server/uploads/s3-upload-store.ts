import type { FastifyBaseLogger } from 'fastify';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { S3Store, type MetadataValue } from '@tus/s3-store';
import type { KvStore, Upload } from '@tus/server';
import { mediaKindOf } from '../../shared/limits';
import type { AppContext } from '../context';
import { readVideoMetadata } from '../imaging';
import { hashStream } from '../library/media-info';
import { readMetadataOrNull } from '../library/media-metadata';
import { blobByteSource } from '../storage/byte-source';
import { createS3Client, s3ClientConfig, type S3Location } from '../storage/s3';
import { S3BlobStore } from '../storage/s3-blob-store';
import { multipartKeys, removeStrayS3Uploads } from './s3-strays';
import { fromTusThrown } from './tus-errors';
import type { OpenedUpload, UploadStore } from './upload-store';
import { uploadOwner } from './upload-id';

/**
 * The part size @tus/s3-store aims for: a PATCH of the app's smallest chunk (8 MiB) is one part;
 * S3 wants at least 5 MiB in every part but the last, and the store keeps a shorter tail as a
 * `.part` object until the next PATCH completes it.
 */
const PART_BYTES = 8 * 1024 * 1024;

/**
 * No cache of the uploads' `.info` records: another process may have changed one (declared a
 * deferred length) or removed it since, so each request reads it from the bucket afresh. The
 * store's default, a MemoryKvStore, keeps one per upload this process touched, forever.
 */
const NO_CACHE: KvStore<MetadataValue> = {
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(),
};

/**
 * Unfinished uploads in the bucket (@tus/s3-store, configured as its README says), when blobs are
 * in S3: each upload a multipart upload under its id beside an `<id>.info` record, so any process
 * behind the load balancer takes any chunk. The completed object is read where it lies (one
 * streamed read for the hash; ranged reads for a large video's metadata) and copied into
 * `originals/` by the object store itself.
 */
export function s3UploadStore(
  ctx: AppContext,
  location: S3Location,
  log: FastifyBaseLogger,
  expirationPeriodInMilliseconds: number,
): UploadStore & { close(): void } {
  if (!(ctx.blobs instanceof S3BlobStore) || ctx.blobs.bucket !== location.bucket) {
    throw new Error('Uploads go to S3 only when originals are kept in the same bucket.');
  }
  const originals: S3BlobStore = ctx.blobs;
  const datastore = new S3Store({
    s3ClientConfig: { bucket: location.bucket, ...s3ClientConfig(location) },
    partSize: PART_BYTES,
    // tus 1.0.0 expiration: Upload-Expires, and deleteExpired (the hourly job) aborts what is
    // older. No object tags, which only a bucket lifecycle rule reads and R2 does not support.
    expirationPeriodInMilliseconds,
    useTags: false,
    cache: NO_CACHE,
  });
  const client = createS3Client(location);
  // The bucket's own keys, where tus keeps its uploads (no prefix).
  const bucket = new S3BlobStore(client, location.bucket, '');

  function open(upload: Upload): Promise<OpenedUpload> {
    const key = upload.storage?.path ?? upload.id;
    const size = upload.size ?? upload.offset;
    // The readers of photos (sharp, exifr) want a file: what may be a photo is copied to scratch
    // while it is hashed. Anything larger can only be a video, whose metadata takes a few ranged
    // reads of the object.
    const copy =
      size <= ctx.config.limits.maxPhotoBytes
        ? path.join(ctx.tmpDir, `finish-${upload.id}-${randomUUID()}`)
        : null;
    return Promise.resolve({
      hash: async () => hashStream(await bucket.createReadStream(key), copy),
      async readMetadata(mimeType) {
        if (copy !== null) return readMetadataOrNull(copy, mimeType, log);
        if (mediaKindOf(mimeType) !== 'video') return null;
        try {
          return await readVideoMetadata(blobByteSource(bucket, key, size), mimeType);
        } catch (error) {
          log.warn({ err: error, mimeType }, 'could not read the metadata of a file');
          return null;
        }
      },
      storeAs: (blobKey) => originals.copyFrom(blobKey, key, size),
      dispose: () => (copy === null ? Promise.resolve() : fs.rm(copy, { force: true })),
    });
  }

  /**
   * Removes the upload (S3Store.remove aborts its multipart upload and deletes the object and its
   * `.info`), then deletes the three objects the store may keep for it, `<id>`, `<id>.info` and the
   * tail `<id>.part`: a completed upload has no multipart upload left to abort (NoSuchUpload), and
   * remove leaves the tail behind. Best effort: the request's answer is decided.
   */
  async function discard(uploadId: string): Promise<void> {
    try {
      await datastore.remove(uploadId);
    } catch (error) {
      if (fromTusThrown(error).code !== 'UPLOAD_NOT_FOUND' && !isNoSuchUpload(error)) {
        log.warn({ err: error, uploadId }, 'could not remove an upload');
      }
    }
    try {
      await client.send(
        new DeleteObjectsCommand({
          Bucket: location.bucket,
          Delete: { Objects: [uploadId, `${uploadId}.info`, `${uploadId}.part`].map((Key) => ({ Key })) },
        }),
      );
    } catch (error) {
      log.warn({ err: error, uploadId }, 'could not delete an upload’s objects');
    }
  }

  return {
    datastore,
    unfinished: {
      // Upload ids begin with their owner's id (upload-id.ts), a prefix S3 lists by.
      ofOwner: async (ownerId) =>
        (await multipartKeys(client, location.bucket, `${ownerId}_`)).filter(
          (key) => uploadOwner(key) === ownerId,
        ),
      size: async (id) => {
        try {
          return (await datastore.getUpload(id)).size;
        } catch {
          // Finished or removed meanwhile.
          return undefined;
        }
      },
      freeBytes: () => Promise.resolve(null),
    },
    open,
    discard,
    // Unfinished uploads are multipart uploads, which deleteExpired lists whatever happened to
    // their `.info`. A completed upload whose finishing was cut off (its process killed) waits
    // for its client's HEAD, which finishes it (routes.ts), for as long as an unfinished one.
    removeStrays: (now) =>
      removeStrayS3Uploads(client, location.bucket, new Date(now.getTime() - expirationPeriodInMilliseconds)),
    // @tus/s3-store splits a PATCH's body into part files in the system's temporary folder.
    diskDirectory: os.tmpdir(),
    close: () => client.destroy(),
  };
}

function isNoSuchUpload(error: unknown): boolean {
  const failure = error as { name?: unknown; Code?: unknown } | null;
  return failure?.name === 'NoSuchUpload' || failure?.Code === 'NoSuchUpload';
}
