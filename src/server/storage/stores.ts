import path from 'node:path';
import type { Config } from '../config';
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

/**
 * Where originals and thumbnails go (config.storage): folders in the data directory, or two
 * prefixes of one S3 bucket, `originals/` and `thumbs/`.
 */
export function openBlobStores(config: Pick<Config, 'dataDir' | 'storage'>): BlobStores {
  const { storage } = config;
  if (storage.kind === 'filesystem') {
    return {
      originals: new FsBlobStore(path.join(config.dataDir, 'blobs')),
      thumbs: new FsBlobStore(path.join(config.dataDir, 'thumbs')),
      close: () => undefined,
    };
  }
  const client = createS3Client(storage);
  return {
    originals: new S3BlobStore(client, storage.bucket, 'originals/'),
    thumbs: new S3BlobStore(client, storage.bucket, 'thumbs/'),
    close: () => client.destroy(),
  };
}
