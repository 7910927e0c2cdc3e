/**
 * Two processes of the built server (build/server/main.js, what `npm start` runs) on one
 * PostgreSQL database and one S3 bucket (s3rver), each with a data directory of its own, behind
 * the round-robin proxy of ./round-robin.ts: the scale-out set-up that issue 18's fault and abuse
 * suites run against besides the default one. Needs SHOEBOX_TEST_DATABASE_URL.
 */
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3Store } from '@tus/s3-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropTestDatabase, ensureTestDatabase } from '../../src/server/db/testing';
import { createS3Client, s3ClientConfig } from '../../src/server/storage/s3';
import { startTestS3, type TestS3 } from '../../src/server/storage/s3-testing';
import { removeStrayS3Uploads } from '../../src/server/uploads/s3-strays';
import { TUS_ENDPOINT } from '../../src/shared/tus';
import { s3Env } from '../server/s3-env';
import { freePort, removeDir, startServer, type RunningServer } from '../e2e/harness';
import { ensureServerBuilt } from './build';
import { roundRobin, type RoundRobin } from './round-robin';

export interface TwoProcesses {
  /** The round-robin proxy in front of both. */
  proxy: RoundRobin;
  s3: TestS3;
  /** The processes as they run now (a restarted one replaces its entry). */
  servers: RunningServer[];
  /** SIGKILLs process `index` and starts it again on its port and directory. */
  kill(index: number): Promise<void>;
  /** Objects and multipart uploads in the bucket that are not a stored original or thumbnail. */
  unfinishedInBucket(): Promise<string[]>;
  /**
   * What the server's hourly expiry (routes.ts: the store's removeStrays, then tus `expiration`,
   * @tus/s3-store's deleteExpired) does once every upload of the bucket is older than the week
   * it keeps them.
   */
  expireUnfinished(): Promise<void>;
  /** Stops both, the proxy and s3rver; drops the database and removes the directories. */
  close(): Promise<void>;
}

/**
 * Starts both, one after the other as the first start of an installation would be (the first
 * creates the tables), with `env` besides the database and the bucket. By default each upload's
 * requests take turns between the processes, whatever else goes on (`turnsOf`).
 */
export async function startTwoProcesses(
  env: Record<string, string> = {},
  turnsOf: (url: string) => string = (url) => (url.startsWith(`${TUS_ENDPOINT}/`) ? url : ''),
): Promise<TwoProcesses> {
  ensureServerBuilt();
  const shared = mkdtempSync(join(tmpdir(), 'shoebox-two-processes-'));
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  let s3: TestS3 | undefined;
  let proxy: RoundRobin | undefined;
  const stopAll = async (): Promise<void> => {
    await proxy?.close();
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
    await s3?.close();
    await dropTestDatabase('postgres', shared);
    for (const dir of [shared, ...dirs]) removeDir(dir);
  };
  try {
    const database = await ensureTestDatabase('postgres', shared);
    if (database.dialect !== 'postgres') throw new Error('Two processes need PostgreSQL.');
    s3 = await startTestS3();
    const processEnv = { ...s3Env(s3), DATABASE_URL: database.url, ...env };
    const start = (index: number, port: number): Promise<RunningServer> =>
      startServer({ dataDir: dirs[index] ?? '', port, env: processEnv });
    for (let index = 0; index < 2; index += 1) {
      dirs.push(mkdtempSync(join(tmpdir(), 'shoebox-process-')));
      servers.push(await start(index, await freePort()));
    }
    proxy = await roundRobin(
      servers.map((server) => server.port),
      turnsOf,
    );
    const bucket = s3.location;
    return {
      proxy,
      s3,
      servers,
      async kill(index) {
        const server = servers[index];
        if (server === undefined) throw new Error(`There is no process ${index}.`);
        await server.stop('SIGKILL');
        servers[index] = await start(index, server.port);
      },
      async unfinishedInBucket() {
        const client = createS3Client(bucket);
        try {
          const left: string[] = [];
          let ContinuationToken: string | undefined;
          do {
            const page = await client.send(
              new ListObjectsV2Command({ Bucket: bucket.bucket, ContinuationToken }),
            );
            for (const { Key = '' } of page.Contents ?? []) {
              if (!Key.startsWith('originals/') && !Key.startsWith('thumbs/')) left.push(Key);
            }
            ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
          } while (ContinuationToken !== undefined);
          const multipart = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket.bucket }));
          for (const { Key = '' } of multipart.Uploads ?? []) left.push(`${Key} (multipart)`);
          return left;
        } finally {
          client.destroy();
        }
      },
      async expireUnfinished() {
        // The hourly job a week on: its strays (older than the week), then deleteExpired. The
        // clock cannot move for s3rver: the store's keeping period shrinks instead, to 1 ms.
        await new Promise((resolve) => setTimeout(resolve, 5));
        const client = createS3Client(bucket);
        try {
          await removeStrayS3Uploads(client, bucket.bucket, new Date());
        } finally {
          client.destroy();
        }
        const store = new S3Store({
          s3ClientConfig: { bucket: bucket.bucket, ...s3ClientConfig(bucket) },
          expirationPeriodInMilliseconds: 1,
          useTags: false,
        });
        await store.deleteExpired();
      },
      close: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
