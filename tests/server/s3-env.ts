import type { TestS3 } from '../../src/server/storage/s3-testing';

/** The settings that point a server at `s3`. */
export function s3Env(s3: TestS3): Record<string, string> {
  const { location } = s3;
  return {
    S3_ENDPOINT: location.endpoint ?? '',
    S3_BUCKET: location.bucket,
    S3_REGION: location.region,
    S3_ACCESS_KEY_ID: location.credentials?.accessKeyId ?? '',
    S3_SECRET_ACCESS_KEY: location.credentials?.secretAccessKey ?? '',
    S3_FORCE_PATH_STYLE: 'true',
  };
}
