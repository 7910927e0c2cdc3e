/**
 * Issue 14: several server processes (build/server/main.js, what `npm start` runs) on one
 * database. On PostgreSQL and S3, two processes with nothing on disk in common, behind a small
 * round-robin proxy, share every upload chunk by chunk (unfinished uploads in the bucket,
 * @tus/s3-store) while Chromium backs up the corpus and two larger photos through the app, and
 * one of them is killed in the middle of a chunk, from the app and from a plain tus client. On
 * both dialects, an API process and a worker process (SHOEBOX_ROLE) on one data directory split
 * the work.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Asset, HealthResponse } from '../../src/shared/api';
import { ASSET_ID_HEADER, TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../src/shared/tus';
import { dropTestDatabase } from '../../src/server/db/testing';
import { startTestS3, type TestS3 } from '../../src/server/storage/s3-testing';
import { ensureServerBuilt } from '../support/build';
import ensureAppBuilt from '../e2e/global-setup';
import {
  launchChromium,
  libraryAssets,
  queueRecords,
  throttleUpload,
  waitForServiceWorker,
  type RunningServer,
} from '../e2e/harness';
import { roundRobin, type RoundRobin, type Routed } from '../support/round-robin';
import {
  DIALECT,
  REPO_ROOT,
  api,
  authHeaders,
  bodyOf,
  createOwner,
  encodeMetadata,
  listFiles,
  makeTempDir,
  manifest,
  uploadCorpusFile,
  withServerDatabase,
  type Account,
} from './helpers';
import {
  LARGE,
  expectObjectsIntact,
  largeJpeg,
  paddedPhoto,
  serverProcess,
  thumbnailJobs,
  thumbnailsMade,
} from './processes-support';
import { s3Env } from './s3-env';

const MiB = 1024 * 1024;
/** The killed upload's chunks: each a whole S3 part (at least 5 MiB). */
const PART_CHUNK = 6 * MiB;

/** Whether `file`, listed in a data directory's `tmp`, is in process `pid`'s scratch (`<host>-<pid>`). */
const inScratchOf =
  (pid: number | undefined) =>
  (file: string): boolean =>
    file.split(path.sep)[0]?.endsWith(`-${pid}`) === true;

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

    /** The bucket, the built app, and chunks of 8 MiB so that the large files go in three. */
    const processEnv = (): Record<string, string> => ({
      ...s3Env(s3),
      SHOEBOX_STATIC_DIR: path.join(REPO_ROOT, 'dist'),
      SHOEBOX_TUS_MAX_CHUNK_BYTES: String(8 * MiB),
    });

    beforeAll(async () => {
      ensureAppBuilt();
      dataDir = await makeTempDir('shoebox-processes-');
      s3 = await startTestS3();
      // One after the other, as the first start of an installation would be (the first creates the tables).
      for (let i = 0; i < 2; i += 1) {
        ownDirs.push(await makeTempDir('shoebox-process-'));
        servers.push(await serverProcess(ownDirs[i] ?? '', processEnv(), dataDir));
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

    it('backs up from Chromium, each upload alternating between the processes, one killed mid-upload', async () => {
      const browser = await launchChromium();
      try {
        const context = await browser.newContext();
        const [name = '', value = ''] = owner.auth.cookie.split('=');
        await context.addCookies([{ name, value, url: proxy.url }]);
        const page = await context.newPage();
        await page.goto(`${proxy.url}/backup`);
        await waitForServiceWorker(page);
        const settled = async (): Promise<boolean> =>
          (await queueRecords(page)).every((item) => item.state === 'done' || item.state === 'skipped');
        const input = page.getByTestId('add-photos-input');

        // The corpus first, its thumbnails made, so that the kill below interrupts an upload only.
        await input.setInputFiles(manifest().map((row) => row.path));
        await expect
          .poll(async () => (await queueRecords(page)).length, { timeout: 30_000 })
          .toBe(manifest().length);
        await expect.poll(settled, { timeout: 120_000, interval: 500 }).toBe(true);
        await thumbnailsMade(dataDir);

        // Then two photos of three 8 MiB chunks (the first on the request that creates the
        // upload), slowed so that a chunk is under way at the kill: the second chunk of an
        // upload, once its process is writing the part it will send to the bucket. @tus/s3-store
        // writes it into the system's temporary folder, which is the process's scratch
        // directory (main.ts), not /tmp.
        const large = [await largeJpeg(dataDir, 18), await largeJpeg(dataDir, 20)];
        await throttleUpload(context, page, 4 * MiB);
        const before = proxy.routed.length;
        await input.setInputFiles(large.map((file) => file.path));
        const partFiles = async (request: Routed): Promise<string[]> =>
          (await listFiles(path.join(ownDirs[request.backend] ?? '', 'tmp'))).filter(
            inScratchOf(servers[request.backend]?.process.pid),
          );
        const secondChunk = (): Routed | undefined =>
          proxy.routed.slice(before).find((request) => request.method === 'PATCH' && !request.done);
        await vi.waitFor(
          async () => {
            const patch = secondChunk();
            expect(patch === undefined ? [] : await partFiles(patch)).not.toEqual([]);
          },
          { timeout: 60_000, interval: 20 },
        );
        const cut = secondChunk() as Routed;
        const killedAt = proxy.routed.length;
        await servers[cut.backend]?.stop('SIGKILL');
        // The part stays where it was (until the process's successor clears it, below).
        expect(await partFiles(cut)).not.toEqual([]);
        await expect.poll(settled, { timeout: 120_000, interval: 500 }).toBe(true);

        // Every file stored once, under the SHA-256 of its own bytes.
        const expected = new Set([
          ...manifest()
            .filter((row) => row.bytes > 0)
            .map((row) => row.sha256),
          ...large.map((file) => file.sha256),
        ]);
        const assets = await libraryAssets(context, proxy.url);
        expect(assets.length).toBe(expected.size);
        expect(new Set(assets.map((asset) => asset.sha256))).toEqual(expected);
        expect((await expectObjectsIntact(s3)).length).toBe(expected.size);
        for (const dir of ownDirs) {
          expect(await listFiles(path.join(dir, 'uploads'))).toEqual([]);
          expect(await listFiles(path.join(dir, 'blobs'))).toEqual([]);
        }
        // Until the kill, each upload's requests, from the one that created it, went to one
        // process and the other in turn; the interrupted one went on, on the survivor, from where
        // the bucket had it (never from 0).
        const routed = proxy.routed.slice(0, killedAt);
        const uploads = routed.filter((request) => request.location?.startsWith(`${TUS_ENDPOINT}/`));
        expect(uploads.length).toBeGreaterThan(manifest().length / 2);
        let chunked = 0;
        for (const creation of uploads) {
          const rest = routed.filter((request) => request.url === creation.location);
          if (rest.some((request) => request.method === 'PATCH')) chunked += 1;
          const backends = [creation, ...rest].map((request) => request.backend);
          expect(backends.every((backend, i) => i === 0 || backend !== backends[i - 1])).toBe(true);
        }
        expect(chunked).toBeGreaterThan(0);
        const resumed = proxy.routed.slice(killedAt).filter((request) => request.url === cut.url);
        expect(resumed.some((request) => request.method === 'PATCH')).toBe(true);
        expect(resumed.every((request) => request.backend === 1 - cut.backend)).toBe(true);

        // Each thumbnail made once: no job run twice, by two processes or after a lost lease.
        const jobs = await thumbnailsMade(dataDir);
        expect(jobs.length).toBe(expected.size);
        expect(jobs.every((job) => job.state === 'done' && job.attempts === 1)).toBe(true);
      } finally {
        await browser.close();
      }
      // Back up, for the next test; the restarted process clears its dead predecessor's scratch.
      const killed = servers.findIndex((server) => server.process.signalCode !== null);
      const deadPid = servers[killed]?.process.pid;
      servers = await Promise.all(
        servers.map(async (server, i) =>
          i === killed ? serverProcess(ownDirs[i] ?? '', processEnv(), dataDir, server.port) : server,
        ),
      );
      const left = await listFiles(path.join(ownDirs[killed] ?? '', 'tmp'));
      expect(left.filter(inScratchOf(deadPid))).toEqual([]);
    }, 300_000);

    it('finishes on the other process an upload whose process was killed in the middle of a chunk', async () => {
      // New bytes of 15 MiB: three chunks.
      const { bytes, sha256 } = await paddedPhoto(15, 9);
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
