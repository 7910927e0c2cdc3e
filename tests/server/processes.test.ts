/**
 * Issue 14: several server processes (build/server/main.js, what `npm start` runs) on one
 * database. On PostgreSQL and S3, two processes with nothing on disk in common, behind a small
 * round-robin proxy, share every upload chunk by chunk (unfinished uploads in the bucket,
 * @tus/s3-store), and one of them is killed in the middle of a chunk. On both dialects, an API
 * process and a worker process (SHOEBOX_ROLE) on one data directory split the work.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Asset, HealthResponse } from '../../src/shared/api';
import { ASSET_ID_HEADER, TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../src/shared/tus';
import { dropTestDatabase } from '../../src/server/db/testing';
import { startTestS3, type TestS3 } from '../../src/server/storage/s3-testing';
import { ensureServerBuilt } from '../support/build';
import type { RunningServer } from '../e2e/harness';
import { roundRobin, type RoundRobin } from '../support/round-robin';
import {
  DIALECT,
  api,
  authHeaders,
  bodyOf,
  createOwner,
  encodeMetadata,
  listFiles,
  makeTempDir,
  manifest,
  readCorpusFile,
  sha256Hex,
  uploadCorpusFile,
  withServerDatabase,
  type Account,
} from './helpers';
import {
  LARGE,
  expectObjectsIntact,
  serverProcess,
  thumbnailJobs,
  thumbnailsMade,
} from './processes-support';
import { s3Env } from './s3-env';

/** Refused at upload (415): nothing to back up. */
const EMPTY = 'zero-byte.jpg';
const MiB = 1024 * 1024;
/**
 * Corpus files over a MiB go in several chunks, each kept as the bucket's `.part` tail until the
 * last (which every next chunk rewrites: smaller chunks cost time quadratically).
 */
const CHUNK = 1024 * 1024;
/** The killed upload's chunks: each a whole S3 part (at least 5 MiB). */
const PART_CHUNK = 6 * MiB;

beforeAll(() => {
  ensureServerBuilt();
});

if (DIALECT === 'postgres') {
  describe('two server processes on one PostgreSQL database and one S3 bucket', () => {
    /** Names the shared database; each process has a data directory of its own. */
    let dataDir: string;
    const ownDirs: string[] = [];
    let s3: TestS3;
    let servers: RunningServer[] = [];
    let proxy: RoundRobin;
    let owner: Account;

    beforeAll(async () => {
      dataDir = await makeTempDir('shoebox-processes-');
      s3 = await startTestS3();
      // One after the other, as the first start of an installation would be (the first creates the tables).
      for (let i = 0; i < 2; i += 1) {
        ownDirs.push(await makeTempDir('shoebox-process-'));
        servers.push(await serverProcess(ownDirs[i] ?? '', s3Env(s3), dataDir));
      }
      // Each upload's requests take turns between the processes, whatever else goes on.
      proxy = await roundRobin(
        servers.map((server) => server.port),
        (url) => (url.startsWith(`${TUS_ENDPOINT}/`) ? url : ''),
      );
      owner = await createOwner(proxy.url);
    }, 180_000);
    afterAll(async () => {
      await proxy.close();
      await Promise.all(servers.map((server) => server.stop('SIGKILL')));
      servers = [];
      await s3.close();
      await dropTestDatabase(DIALECT, dataDir);
      for (const dir of [dataDir, ...ownDirs]) await fs.rm(dir, { recursive: true, force: true });
    });

    it('shares every upload chunk by chunk, stores each file once, and runs each thumbnail job once', async () => {
      const stored = new Map<string, string>();
      for (const row of manifest()) {
        const result = await uploadCorpusFile(proxy.url, owner.auth, row.filename, { chunkSize: CHUNK });
        if (row.filename === EMPTY) {
          expect(result).toMatchObject({ ok: false, status: 415 });
          continue;
        }
        if (!result.ok) throw new Error(`Uploading ${row.filename} failed: ${JSON.stringify(result.error)}`);
        stored.set(result.assetId, row.sha256);
      }
      // Each request of an upload went to the other process than the one before.
      const tus = proxy.routed.filter((request) => request.url.startsWith(`${TUS_ENDPOINT}/`));
      expect(tus.some((request) => request.method === 'PATCH' && request.backend === 0)).toBe(true);
      expect(tus.some((request) => request.method === 'PATCH' && request.backend === 1)).toBe(true);
      for (const url of new Set(tus.map((request) => request.url))) {
        const backends = tus.filter((request) => request.url === url).map((request) => request.backend);
        expect(backends.every((backend, i) => i === 0 || backend !== backends[i - 1])).toBe(true);
      }
      expect(tus.filter((request) => request.method === 'PATCH').length).toBeGreaterThan(stored.size);

      await thumbnailsMade(dataDir);
      for (const [assetId, sha256] of stored) {
        const asset = await api<Asset>(proxy.url, 'GET', `/api/assets/${assetId}`, { auth: owner.auth });
        expect(asset.body.sha256).toBe(sha256);
      }
      const blobs = await expectObjectsIntact(s3);
      // Two corpus files are the same bytes: one blob for both.
      expect(blobs.length).toBe(new Set(stored.values()).size);
      // Nothing of an upload or a blob was kept on either process's disk.
      for (const dir of ownDirs) {
        expect(await listFiles(path.join(dir, 'uploads'))).toEqual([]);
        expect(await listFiles(path.join(dir, 'blobs'))).toEqual([]);
      }
      const jobs = await thumbnailJobs(dataDir);
      expect(jobs.length).toBe(stored.size);
      // Once each: no job was run twice, by two processes or after a lost lease.
      expect(jobs.every((job) => job.attempts === 1)).toBe(true);
    }, 180_000);

    it('finishes on the other process an upload whose process was killed in the middle of a chunk', async () => {
      // The corpus's largest photo padded to 15 MiB after its end, which decoders ignore: new
      // bytes, three chunks.
      const photo = await readCorpusFile(LARGE);
      const bytes = Buffer.concat([photo, Buffer.alloc(15 * 1024 * 1024 - photo.length, 9)]);
      const sha256 = sha256Hex(bytes);
      const headers = { ...authHeaders(owner.auth), 'tus-resumable': '1.0.0' };
      const created = await fetch(`${proxy.url}${TUS_ENDPOINT}`, {
        method: 'POST',
        headers: {
          ...headers,
          'upload-length': String(bytes.byteLength),
          'upload-metadata': encodeMetadata({
            filename: LARGE,
            type: 'image/jpeg',
            sha256,
            sourceSha256: sha256,
          }),
        },
      });
      expect(created.status).toBe(201);
      const location = new URL(created.headers.get('location') ?? '', proxy.url);
      const patch = (offset: number, body: BodyInit) =>
        fetch(location, {
          method: 'PATCH',
          headers: {
            ...headers,
            'upload-offset': String(offset),
            'content-type': 'application/offset+octet-stream',
          },
          body,
          duplex: 'half',
        } as RequestInit);

      // One whole chunk, then a sixth of the next, held open while its process is killed.
      const first = await patch(0, bodyOf(bytes.subarray(0, PART_CHUNK)));
      expect(first.status).toBe(204);
      let push: ReadableStreamDefaultController<Uint8Array> | undefined;
      const stream = new ReadableStream<Uint8Array>({ start: (controller) => (push = controller) });
      const some = PART_CHUNK / 6;
      push?.enqueue(bodyOf(bytes.subarray(PART_CHUNK, PART_CHUNK + some)));
      const cut = patch(PART_CHUNK, stream).then(
        (response) => response.status,
        () => 'cut' as const,
      );
      // The sixth has reached the process.
      await vi.waitFor(() => expect(proxy.routed.at(-1)?.bytes).toBe(some), {
        timeout: 30_000,
        interval: 50,
      });
      const victim = proxy.routed.at(-1)?.backend ?? -1;
      expect(proxy.routed.at(-1)?.method).toBe('PATCH');
      await servers[victim]?.stop('SIGKILL');
      push?.error(new Error('The connection went with the process.'));
      expect(await cut).not.toBe(204);

      // The survivor answers for the upload from the bucket: the first chunk, a part there; the
      // piece of the second went with the process, which had yet to store it.
      const head = await fetch(location, { method: 'HEAD', headers });
      expect(head.status).toBe(200);
      let offset = Number(head.headers.get('upload-offset'));
      expect(offset).toBe(PART_CHUNK);
      let last: Response | undefined;
      while (offset < bytes.byteLength) {
        last = await patch(offset, bodyOf(bytes.subarray(offset, offset + PART_CHUNK)));
        expect(last.status).toBe(204);
        offset = Number(last.headers.get('upload-offset'));
      }
      expect(last?.headers.get(UPLOAD_OUTCOME_HEADER)).toBe('created');
      const assetId = last?.headers.get(ASSET_ID_HEADER) ?? '';
      const survivor = 1 - victim;
      expect(proxy.routed.slice(-2).map((request) => request.backend)).toEqual([survivor, survivor]);

      const asset = await api<Asset>(proxy.url, 'GET', `/api/assets/${assetId}`, { auth: owner.auth });
      expect(asset.body.sha256).toBe(sha256);
      await vi.waitFor(
        async () => {
          const jobs = await thumbnailJobs(dataDir);
          expect(jobs.filter((job) => job.state !== 'done')).toEqual([]);
        },
        { timeout: 60_000, interval: 250 },
      );
      expect((await thumbnailJobs(dataDir)).every((job) => job.attempts === 1)).toBe(true);
      await expectObjectsIntact(s3);

      // The survivor stops cleanly on SIGTERM (graceful shutdown), leaving no job running.
      const exit = new Promise<number | null>((resolve) => servers[survivor]?.process.once('exit', resolve));
      await servers[survivor]?.stop('SIGTERM');
      expect(await exit).toBe(0);
      const running = await withServerDatabase(dataDir, (db) =>
        db.selectFrom('jobs').select('id').where('state', '=', 'running').execute(),
      );
      expect(running).toEqual([]);
    });
  });
}

describe('an API process and a worker process', () => {
  let dataDir: string;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    dataDir = await makeTempDir('shoebox-roles-');
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
    await dropTestDatabase(DIALECT, dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('serves on the API process and makes the thumbnails on the worker', async () => {
    const apiProcess = await serverProcess(dataDir, { SHOEBOX_ROLE: 'api' });
    servers.push(apiProcess);
    const worker = await serverProcess(dataDir, { SHOEBOX_ROLE: 'worker' });
    servers.push(worker);

    const health = await api<HealthResponse>(worker.url, 'GET', '/api/health');
    expect(health.body).toEqual({ ok: true, role: 'worker', database: 'ok', store: 'ok' });
    expect((await api<HealthResponse>(apiProcess.url, 'GET', '/api/health')).body.role).toBe('api');
    // The worker serves no one: no setup, no library, no uploads.
    expect((await api(worker.url, 'POST', '/api/setup', { body: {} })).status).toBe(404);
    expect((await fetch(`${worker.url}${TUS_ENDPOINT}`, { method: 'OPTIONS' })).status).toBe(404);

    const owner = await createOwner(apiProcess.url);
    const result = await uploadCorpusFile(apiProcess.url, owner.auth, 'Landscape_1.jpg');
    if (!result.ok) throw new Error(`The upload failed: ${JSON.stringify(result.error)}`);
    await vi.waitFor(
      async () => {
        const asset = await api<Asset>(apiProcess.url, 'GET', `/api/assets/${result.assetId}`, {
          auth: owner.auth,
        });
        expect(asset.body.thumb.state).toBe('ready');
      },
      { timeout: 60_000, interval: 250 },
    );
    expect(await thumbnailJobs(dataDir)).toEqual([{ state: 'done', attempts: 1 }]);
  });
});
