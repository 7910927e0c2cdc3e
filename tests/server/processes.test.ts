/**
 * Issue 14: several server processes (build/server/main.js, what `npm start` runs) on one
 * database and one data directory. On PostgreSQL, two processes behind a small round-robin proxy
 * share every upload, chunk by chunk, and one of them is killed in the middle of a chunk. On both
 * dialects, an API process and a worker process (SHOEBOX_ROLE) split the work.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Asset, HealthResponse } from '../../src/shared/api';
import { ASSET_ID_HEADER, TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../src/shared/tus';
import { dropTestDatabase, ensureTestDatabase } from '../../src/server/db/testing';
import { freePort, startServer as startProcess, type RunningServer } from '../e2e/harness';
import { ensureServerBuilt } from '../support/build';
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

/** Refused at upload (415): nothing to back up. */
const EMPTY = 'zero-byte.jpg';
/** The largest photo of the corpus, sent in many chunks. */
const LARGE = 'IMG_20180725_163423.jpg';
const CHUNK = 256 * 1024;

interface Routed {
  method: string;
  url: string;
  backend: number;
}

/**
 * Round robin over `ports`, one request each in turn, as a load balancer without sticky sessions
 * does; a backend that refuses the connection (killed) is passed over for the next one.
 */
async function roundRobin(
  ports: number[],
): Promise<{ url: string; routed: Routed[]; close(): Promise<void> }> {
  const routed: Routed[] = [];
  const dead = new Set<number>();
  let next = 0;
  const proxy = http.createServer((request, response) => {
    const forward = (attempt: number): void => {
      const alive = ports.map((_, index) => index).filter((index) => !dead.has(index));
      if (alive.length === 0 || attempt > ports.length) {
        response.writeHead(502).end();
        return;
      }
      const backend = alive[next++ % alive.length] ?? 0;
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: ports[backend],
          method: request.method,
          path: request.url,
          headers: request.headers,
          // A connection per request, so that the body goes on only once one is made: a refused
          // one leaves it unread for the next backend.
          agent: false,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED') {
          dead.add(backend);
          forward(attempt + 1);
          return;
        }
        // The backend died during the request: the client sees its connection cut, as behind
        // a real proxy, and resumes.
        response.destroy();
      });
      upstream.once('socket', (socket) => {
        socket.once('connect', () => {
          routed.push({ method: request.method ?? '', url: request.url ?? '', backend });
          request.pipe(upstream);
        });
      });
    };
    forward(0);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

/** Starts the built server on `dataDir`'s database (this project's dialect) with `env`. */
async function serverProcess(dataDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const database = await ensureTestDatabase(DIALECT, dataDir);
  return startProcess({
    dataDir,
    port: await freePort(),
    env: {
      SHOEBOX_STATIC_DIR: path.join(dataDir, 'no-app'),
      ...(database.dialect === 'postgres' ? { DATABASE_URL: database.url } : {}),
      ...env,
    },
  });
}

async function thumbnailJobs(dataDir: string): Promise<{ state: string; attempts: number }[]> {
  return withServerDatabase(dataDir, (db) =>
    db.selectFrom('jobs').select(['state', 'attempts']).where('kind', '=', 'thumbnail').execute(),
  );
}

/** Every original in the store: stored once, under the SHA-256 of its bytes. */
async function expectBlobsIntact(dataDir: string): Promise<string[]> {
  const root = path.join(dataDir, 'blobs');
  const files = await listFiles(root);
  for (const file of files) {
    const bytes = await fs.readFile(path.join(root, file));
    expect(path.basename(file)).toBe(sha256Hex(bytes));
  }
  return files;
}

beforeAll(() => {
  ensureServerBuilt();
});

if (DIALECT === 'postgres') {
  describe('two server processes on one PostgreSQL database', () => {
    let dataDir: string;
    let servers: RunningServer[] = [];
    let proxy: Awaited<ReturnType<typeof roundRobin>>;
    let owner: Account;

    beforeAll(async () => {
      dataDir = await makeTempDir('shoebox-processes-');
      // One after the other, as the first start of an installation would be (the first creates the tables).
      servers.push(await serverProcess(dataDir));
      servers.push(await serverProcess(dataDir));
      proxy = await roundRobin(servers.map((server) => server.port));
      owner = await createOwner(proxy.url);
    }, 120_000);
    afterAll(async () => {
      await proxy.close();
      await Promise.all(servers.map((server) => server.stop('SIGKILL')));
      servers = [];
      await dropTestDatabase(DIALECT, dataDir);
      await fs.rm(dataDir, { recursive: true, force: true });
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
      const uploads = proxy.routed.filter((request) => request.url.startsWith(TUS_ENDPOINT));
      expect(uploads.some((request) => request.method === 'PATCH' && request.backend === 0)).toBe(true);
      expect(uploads.some((request) => request.method === 'PATCH' && request.backend === 1)).toBe(true);
      for (let i = 1; i < uploads.length; i += 1) {
        expect(uploads[i]?.backend).not.toBe(uploads[i - 1]?.backend);
      }

      await vi.waitFor(
        async () => {
          const jobs = await thumbnailJobs(dataDir);
          expect(jobs.filter((job) => job.state !== 'done' && job.state !== 'failed')).toEqual([]);
        },
        { timeout: 120_000, interval: 250 },
      );
      for (const [assetId, sha256] of stored) {
        const asset = await api<Asset>(proxy.url, 'GET', `/api/assets/${assetId}`, { auth: owner.auth });
        expect(asset.body.sha256).toBe(sha256);
      }
      const blobs = await expectBlobsIntact(dataDir);
      // Two corpus files are the same bytes: one blob for both.
      expect(blobs.length).toBe(new Set(stored.values()).size);
      const jobs = await thumbnailJobs(dataDir);
      expect(jobs.length).toBe(stored.size);
      // Once each: no job was run twice, by two processes or after a lost lease.
      expect(jobs.every((job) => job.attempts === 1)).toBe(true);
    });

    it('finishes on the other process an upload whose process was killed in the middle of a chunk', async () => {
      // The corpus's largest photo with a few bytes after its end, which decoders ignore: new bytes.
      const bytes = Buffer.concat([await readCorpusFile(LARGE), Buffer.from('taken again')]);
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
      const file = path.join(dataDir, 'uploads', path.basename(location.pathname));
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

      // One whole chunk, then half of the next, held open while its process is killed.
      const first = await patch(0, bodyOf(bytes.subarray(0, CHUNK)));
      expect(first.status).toBe(204);
      let push: ReadableStreamDefaultController<Uint8Array> | undefined;
      const stream = new ReadableStream<Uint8Array>({ start: (controller) => (push = controller) });
      push?.enqueue(bodyOf(bytes.subarray(CHUNK, CHUNK + CHUNK / 2)));
      const cut = patch(CHUNK, stream).then(
        (response) => response.status,
        () => 'cut' as const,
      );
      await vi.waitFor(async () => expect((await fs.stat(file)).size).toBeGreaterThan(CHUNK), {
        timeout: 30_000,
        interval: 50,
      });
      const victim = proxy.routed.at(-1)?.backend ?? -1;
      expect(proxy.routed.at(-1)?.method).toBe('PATCH');
      await servers[victim]?.stop('SIGKILL');
      push?.error(new Error('The connection went with the process.'));
      expect(await cut).not.toBe(204);

      // The survivor answers for the upload: what reached the dead process's disk counts.
      const head = await fetch(location, { method: 'HEAD', headers });
      expect(head.status).toBe(200);
      let offset = Number(head.headers.get('upload-offset'));
      expect(offset).toBeGreaterThan(CHUNK);
      let last: Response | undefined;
      while (offset < bytes.byteLength) {
        last = await patch(offset, bodyOf(bytes.subarray(offset, offset + CHUNK)));
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
      await expectBlobsIntact(dataDir);

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
