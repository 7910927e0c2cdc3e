import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** Where the S3-compatible object store is (S3_* settings, config.ts). */
export interface S3Location {
  /** S3_ENDPOINT; null: AWS S3's own endpoint for the region. */
  endpoint: string | null;
  bucket: string;
  region: string;
  /** null: the AWS SDK's default credential chain (AWS_* variables, an instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
  /** `https://host/bucket/key` rather than `https://bucket.host/key` (MinIO, Ceph, s3rver). */
  forcePathStyle: boolean;
}

/** What blobs are stored as: the filesystem under the data directory, or an S3 bucket. */
export type StorageLocation = { kind: 'filesystem' } | ({ kind: 's3' } & S3Location);

/**
 * The client settings for `location`. Checksums only where S3 requires them: since 3.729 the SDK
 * adds CRC32 checksums to every upload by default, in a form MinIO, Ceph, R2 and s3rver do not
 * all accept (s3rver stores a streamed body with the checksum's chunk framing in it), and each put
 * is checked by its size afterwards instead (S3BlobStore).
 */
export function s3ClientConfig(location: S3Location): S3ClientConfig {
  return {
    region: location.region,
    forcePathStyle: location.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(location.endpoint === null ? {} : { endpoint: location.endpoint }),
    ...(location.credentials === null ? {} : { credentials: location.credentials }),
  };
}

/** The client for `location` (s3ClientConfig). */
export function createS3Client(location: S3Location): S3Client {
  return new S3Client(s3ClientConfig(location));
}
