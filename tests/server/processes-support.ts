/** What tests/server/processes.test.ts runs its server processes with and checks them by. */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, vi } from 'vitest';
import { ensureTestDatabase } from '../../src/server/db/testing';
import { createS3Client } from '../../src/server/storage/s3';
import type { TestS3 } from '../../src/server/storage/s3-testing';
import { freePort, startServer as startProcess, type RunningServer } from '../e2e/harness';
import { DIALECT, readCorpusFile, sha256Hex, withServerDatabase } from './helpers';

/** The largest photo of the corpus. */
export const LARGE = 'IMG_20180725_163423.jpg';

const MiB = 1024 * 1024;

/**
 * A photo of `mib` MiB that no one has uploaded: the corpus's largest padded after its end (which
 * decoders ignore) with bytes of `fill`.
 */
export async function paddedPhoto(mib: number, fill: number): Promise<{ bytes: Buffer; sha256: string }> {
  const photo = await readCorpusFile(LARGE);
  const bytes = Buffer.concat([photo, Buffer.alloc(mib * MiB - photo.length, fill)]);
  return { bytes, sha256: sha256Hex(bytes) };
}

/** paddedPhoto(mib) written into `dir`, for a browser to pick. */
export async function largeJpeg(dir: string, mib: number): Promise<{ path: string; sha256: string }> {
  const { bytes, sha256 } = await paddedPhoto(mib, mib);
  const file = path.join(dir, `large-${mib}.jpg`);
  await fs.writeFile(file, bytes);
  return { path: file, sha256 };
}

/**
 * Starts the built server on `dataDir` with `env`, on the database (this project's dialect) of
 * `databaseDir`, by default the data directory's own.
 */
export async function serverProcess(
  dataDir: string,
  env: Record<string, string> = {},
  databaseDir: string = dataDir,
  port?: number,
): Promise<RunningServer> {
  const database = await ensureTestDatabase(DIALECT, databaseDir);
  return startProcess({
    dataDir,
    port: port ?? (await freePort()),
    env: {
      SHOEBOX_STATIC_DIR: path.join(dataDir, 'no-app'),
      ...(database.dialect === 'postgres' ? { DATABASE_URL: database.url } : {}),
      ...env,
    },
  });
}

export async function thumbnailJobs(dataDir: string): Promise<{ state: string; attempts: number }[]> {
  return withServerDatabase(dataDir, (db) =>
    db.selectFrom('jobs').select(['state', 'attempts']).where('kind', '=', 'thumbnail').execute(),
  );
}

/** Waits until no thumbnail job is queued or running; answers them all. */
export async function thumbnailsMade(dataDir: string): Promise<{ state: string; attempts: number }[]> {
  await vi.waitFor(
    async () => {
      const jobs = await thumbnailJobs(dataDir);
      expect(jobs.filter((job) => job.state !== 'done' && job.state !== 'failed')).toEqual([]);
    },
    { timeout: 120_000, interval: 250 },
  );
  return thumbnailJobs(dataDir);
}

/** Every original in the bucket: stored once, under the SHA-256 of its bytes. */
export async function expectObjectsIntact(s3: TestS3): Promise<string[]> {
  const client = createS3Client(s3.location);
  const Bucket = s3.location.bucket;
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'originals/' }));
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? '');
    for (const Key of keys) {
      const { Body } = await client.send(new GetObjectCommand({ Bucket, Key }));
      const hash = createHash('sha256').update(await (Body?.transformToByteArray() ?? new Uint8Array()));
      expect(path.basename(Key)).toBe(hash.digest('hex'));
    }
    return keys;
  } finally {
    client.destroy();
  }
}
