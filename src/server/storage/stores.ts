import { HeadBucketCommand } from '@aws-sdk/client-s3';
import path from 'node:path';
import { ConfigError, type Config } from '../config';
import type { BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';
import { createS3Client } from './s3';
import { S3BlobStore } from './s3-blob-store';

export interface BlobStores {
  originals: BlobStore;
  thumbs: BlobStore;
  /** Lets go of the object store's connections (app close). */
  close: () => void;
}

/** How long the bucket gets to answer at start. */
const BUCKET_CHECK_MS = 10_000;

/** Why a bucket cannot be used, in words. */
function bucketProblem(error: unknown): string {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (status === 404) return 'there is no such bucket';
  if (status === 403) return 'the credentials may not use it (access denied)';
  if (status === 301) return 'it is in another region than S3_REGION says';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Where originals and thumbnails go (config.storage): folders in the data directory, or two
 * prefixes of one S3 bucket, `originals/` and `thumbs/`. A bucket that cannot be reached or used
 * stops the start with a sentence, rather than failing every upload afterwards.
 */
export async function openBlobStores(config: Pick<Config, 'dataDir' | 'storage'>): Promise<BlobStores> {
  const { storage } = config;
  if (storage.kind === 'filesystem') {
    return {
      originals: new FsBlobStore(path.join(config.dataDir, 'blobs')),
      thumbs: new FsBlobStore(path.join(config.dataDir, 'thumbs')),
      close: () => undefined,
    };
  }
  const client = createS3Client(storage);
  try {
    await client.send(new HeadBucketCommand({ Bucket: storage.bucket }), {
      abortSignal: AbortSignal.timeout(BUCKET_CHECK_MS),
    });
  } catch (error) {
    client.destroy();
    throw new ConfigError(
      `S3_BUCKET ${storage.bucket} at ${storage.endpoint ?? 'AWS S3'} cannot be used: ${bucketProblem(error)}. Check S3_ENDPOINT, S3_REGION, the credentials, and that the bucket exists.`,
    );
  }
  return {
    originals: new S3BlobStore(client, storage.bucket, 'originals/'),
    thumbs: new S3BlobStore(client, storage.bucket, 'thumbs/'),
    close: () => client.destroy(),
  };
}
