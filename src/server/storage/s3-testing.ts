/**
 * S3 for tests: s3rver (an S3 server in Node, from npm) on a loopback port with its objects in a
 * temporary folder, and the location a store or the app reaches it at.
 *
 * s3rver 3.7.1 lacks three operations of multipart uploads that @tus/s3-store needs: ListParts,
 * AbortMultipartUpload and ListMultipartUploads (jamhall/s3rver#330, #784). `npm ci` adds them
 * (patch-package, patches/s3rver+3.7.1.patch); startTestS3 checks that they are there and fails
 * loudly otherwise.
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
} from '@aws-sdk/client-s3';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { createS3Client, type S3Location } from './s3';

export interface TestS3 {
  location: S3Location;
  /** Where s3rver keeps the bucket's objects and multipart uploads. */
  directory: string;
  /** Every request s3rver has had, as `METHOD /bucket/key`, for tests that check what was read. */
  requests: string[];
  /** Stops s3rver and deletes its objects. */
  close: () => Promise<void>;
}

const BUCKET = 'shoebox-test';

export async function startTestS3(): Promise<TestS3> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-s3rver-'));
  const s3rver = new S3rver({ silent: true, directory, configureBuckets: [{ name: BUCKET, configs: [] }] });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${(request.url ?? '').split('?')[0] ?? ''}`);
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
    await fs.rm(directory, { recursive: true, force: true });
  };
  const location: S3Location = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: BUCKET,
    region: 'us-east-1',
    // s3rver's fixed credentials.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  };
  try {
    await expectMultipartOperations(location);
  } catch (error) {
    await close();
    throw error;
  }
  requests.length = 0;
  return { location, directory, requests, close };
}

/** Fails, saying why, unless the server lists and aborts multipart uploads (see the top of this file). */
async function expectMultipartOperations(location: S3Location): Promise<void> {
  const client = createS3Client(location);
  const Bucket = location.bucket;
  const Key = 'multipart-check';
  try {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    await client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    const listed = await client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }));
    if (listed.Uploads?.[0]?.UploadId !== UploadId) throw new Error('the upload was not listed');
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  } catch (error) {
    throw new Error(
      `s3rver cannot list or abort multipart uploads (${error instanceof Error ? error.message : String(error)}): ` +
        'run `npm ci` (or `npx patch-package`) to apply patches/s3rver+3.7.1.patch.',
    );
  } finally {
    client.destroy();
  }
}
