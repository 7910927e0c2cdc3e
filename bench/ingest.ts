/**
 * `npm run bench -- ingest` (issue 14): the corpus × 20 (20 accounts, each backing up every
 * non-empty corpus file once) through 8 concurrent tus clients, each file in one creation-with-
 * upload request as the app sends a photo, against the built server (`npm start`'s bundle):
 *   (a) one process on SQLite and the data directory (the baseline, measured in the same run);
 *   (b) one process on PostgreSQL and S3 (s3rver, in a process of its own);
 *   (c) two processes on PostgreSQL and S3 behind a round-robin proxy (tests/support/round-robin.ts).
 * Prints photos per second (to the last upload answered, and to the last thumbnail made), the
 * p95 of the request that completes an upload, and the server processes' CPU seconds per photo
 * (user + system from /proc, uploads and thumbnails together; s3rver's shown apart), with the
 * load average. Targets: (b) CPU per photo ≤ 1.5 × (a); (c) at least (b)'s rate. (b) and (c)
 * need SHOEBOX_TEST_DATABASE_URL (a PostgreSQL server whose user may create databases). Asserts
 * nothing. A refused or failed upload is counted and named (its status and the server's answer,
 * or the client's error), with what the servers logged at `error`. SHOEBOX_BENCH_CPU_PROF=<dir>
 * starts the servers under `node --cpu-prof`, a profile per process written into <dir>/a, b or
 * c when it stops (open it in Chrome's DevTools).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { openDatabase } from '../src/server/db/index.ts';
import { dropTestDatabase, ensureTestDatabase, testPostgresUrl } from '../src/server/db/testing.ts';
import type { S3Location } from '../src/server/storage/s3.ts';
import { sniff } from '../src/shared/sniff.ts';
import { TUS_ENDPOINT } from '../src/shared/tus.ts';
import { startServer, type RunningServer } from '../tests/e2e/harness.ts';
import { ensureServerBuilt } from '../tests/support/build.ts';
import { REPO_ROOT, corpusFile, manifest } from '../tests/support/corpus.ts';
import { roundRobin } from '../tests/support/round-robin.ts';

const COPIES = 20;
const CLIENTS = 8;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS = 100;

interface Photo {
  filename: string;
  type: string;
  bytes: Buffer;
  sha256: string;
}

interface Figures {
  name: string;
  photos: number;
  failed: number;
  /** Why uploads failed: reason → count. */
  failures: Map<string, number>;
  uploadRate: number;
  thumbRate: number;
  p95Ms: number;
  cpuPerPhoto: number;
  s3CpuPerPhoto: number | null;
}

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

const percentile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

function corpus(): Photo[] {
  return manifest()
    .filter((row) => row.bytes > 0)
    .map((row) => {
      const bytes = readFileSync(corpusFile(row.filename).path);
      const type = sniff(bytes.subarray(0, 512))?.mimeType ?? 'application/octet-stream';
      return { filename: row.filename, type, bytes, sha256: row.sha256 };
    });
}

const encode = (metadata: Record<string, string>): string =>
  Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');

async function postJson(url: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie === undefined ? {} : { cookie }) },
    body: JSON.stringify(body),
  });
}

const cookieOf = (response: Response): string =>
  (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

/** The owner and 19 members, signed in: a session cookie each. */
async function accounts(baseUrl: string): Promise<string[]> {
  const password = 'ingest bench password';
  const setup = await postJson(`${baseUrl}/api/setup`, { email: 'a0@example.com', name: 'A0', password });
  if (setup.status !== 201) throw new Error(`Setup failed: ${setup.status}`);
  const cookies = [cookieOf(setup)];
  for (let i = 1; i < COPIES; i += 1) {
    const email = `a${i}@example.com`;
    const made = await postJson(`${baseUrl}/api/users`, { email, name: `A${i}`, password }, cookies[0]);
    if (made.status !== 201) throw new Error(`Adding an account failed: ${made.status}`);
    cookies.push(cookieOf(await postJson(`${baseUrl}/api/auth/login`, { email, password })));
  }
  return cookies;
}

type Outcome = { ok: true; ms: number } | { ok: false; reason: string };

/** One tus upload in one request (creation-with-upload): how long it took, or why it failed. */
async function upload(baseUrl: string, cookie: string, photo: Photo): Promise<Outcome> {
  const started = performance.now();
  let response: Response;
  try {
    response = await send(baseUrl, cookie, photo);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, reason: `no answer: ${cause?.code ?? cause?.message ?? String(error)}` };
  }
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status === 201 && response.headers.get('upload-offset') === String(photo.bytes.length)) {
    return { ok: true, ms };
  }
  return {
    ok: false,
    reason: `${response.status} offset ${response.headers.get('upload-offset')}: ${body.slice(0, 200)}`,
  };
}

function send(baseUrl: string, cookie: string, photo: Photo): Promise<Response> {
  return fetch(`${baseUrl}${TUS_ENDPOINT}`, {
    method: 'POST',
    headers: {
      cookie,
      'tus-resumable': '1.0.0',
      'upload-length': String(photo.bytes.length),
      'upload-metadata': encode({
        filename: photo.filename,
        type: photo.type,
        sha256: photo.sha256,
        sourceSha256: photo.sha256,
      }),
      'content-type': 'application/offset+octet-stream',
    },
    body: new Uint8Array(photo.bytes),
  });
}

/** s3rver in its own process (bench/s3rver-process.ts). */
async function startS3(): Promise<{ location: S3Location; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'bench/s3rver-process.ts')],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  for await (const line of lines) return { location: JSON.parse(line) as S3Location, child };
  throw new Error('s3rver did not start');
}

function s3Env(location: S3Location): Record<string, string> {
  return {
    S3_ENDPOINT: location.endpoint ?? '',
    S3_BUCKET: location.bucket,
    S3_REGION: location.region,
    S3_ACCESS_KEY_ID: location.credentials?.accessKeyId ?? '',
    S3_SECRET_ACCESS_KEY: location.credentials?.secretAccessKey ?? '',
    S3_FORCE_PATH_STYLE: 'true',
  };
}

/** The servers' node options: a CPU profile each, when SHOEBOX_BENCH_CPU_PROF names a folder. */
function profiling(name: string): string[] {
  const dir = process.env.SHOEBOX_BENCH_CPU_PROF;
  if (dir === undefined || dir === '') return [];
  // A folder per setup, (a) to (c); the file names carry the process id.
  const setup = name.slice(0, 3).replace(/[^a-z]/g, '');
  return ['--cpu-prof', `--cpu-prof-dir=${path.join(path.resolve(dir), setup)}`];
}

/** The lines a server logged at `error` or above (pino's levels 50 and 60), at most `max`. */
function loggedErrors(output: string, max: number): string[] {
  return output
    .split('\n')
    .filter((line) => /"level":(50|60)|\b(ERROR|FATAL)\b/.test(line))
    .slice(0, max);
}

async function measure(name: string, processes: number, onS3: boolean, photos: Photo[]): Promise<Figures> {
  const dialect = onS3 ? 'postgres' : 'sqlite';
  const root = await fs.mkdtemp(path.join(tmpdir(), 'shoebox-ingest-'));
  const location = await ensureTestDatabase(dialect, root);
  const s3 = onS3 ? await startS3() : null;
  const servers: RunningServer[] = [];
  try {
    for (let i = 0; i < processes; i += 1) {
      const dataDir = path.join(root, `process-${i}`);
      await fs.mkdir(dataDir);
      servers.push(
        await startServer({
          dataDir,
          env: {
            LOG_LEVEL: 'error',
            SHOEBOX_STATIC_DIR: path.join(dataDir, 'no-app'),
            ...(location.dialect === 'postgres' ? { DATABASE_URL: location.url } : {}),
            ...(s3 === null ? {} : s3Env(s3.location)),
          },
          nodeArgs: profiling(name),
        }),
      );
    }
    const proxy = processes > 1 ? await roundRobin(servers.map((server) => server.port)) : null;
    const baseUrl = proxy?.url ?? servers[0]?.url ?? '';
    const cookies = await accounts(baseUrl);
    const work = cookies.flatMap((cookie) => photos.map((photo) => ({ cookie, photo })));
    const database = await openDatabase(location);
    const thumbsLeft = async (): Promise<number> => {
      const row = await database.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number | string>().as('left'))
        .where('kind', '=', 'thumbnail')
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirstOrThrow();
      return Number(row.left);
    };

    const cpuBefore = servers.map((server) => cpuSeconds(server.process.pid));
    const s3Before = cpuSeconds(s3?.child.pid);
    const started = performance.now();
    const latencies: number[] = [];
    const failures = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let item = work[next++]; item !== undefined; item = work[next++]) {
          const outcome = await upload(baseUrl, item.cookie, item.photo);
          if (outcome.ok) latencies.push(outcome.ms);
          else failures.set(outcome.reason, (failures.get(outcome.reason) ?? 0) + 1);
        }
      }),
    );
    const uploaded = performance.now();
    while ((await thumbsLeft()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    const thumbed = performance.now();
    const cpu = servers.reduce(
      (sum, server, i) => sum + cpuSeconds(server.process.pid) - (cpuBefore[i] ?? 0),
      0,
    );
    const s3Cpu = s3 === null ? null : cpuSeconds(s3.child.pid) - s3Before;
    await database.db.destroy();
    await proxy?.close();
    const errors = servers.flatMap((server, i) =>
      loggedErrors(server.output(), 5).map((line) => `process ${i}: ${line}`),
    );
    if (errors.length > 0) console.log(`${name}: the servers logged\n${errors.join('\n')}`);
    const done = latencies.length;
    return {
      name,
      photos: done,
      failed: [...failures.values()].reduce((sum, count) => sum + count, 0),
      failures,
      uploadRate: done / ((uploaded - started) / 1000),
      thumbRate: done / ((thumbed - started) / 1000),
      p95Ms: percentile(latencies, 0.95),
      cpuPerPhoto: cpu / done,
      s3CpuPerPhoto: s3Cpu === null ? null : s3Cpu / done,
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    s3?.child.kill('SIGTERM');
    await dropTestDatabase(dialect, root);
    await fs.rm(root, { recursive: true, force: true });
  }
}

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

export async function run(): Promise<void> {
  ensureServerBuilt();
  const photos = corpus();
  console.log(
    `${photos.length} files × ${COPIES} accounts, ${CLIENTS} concurrent tus clients; load ${load()}`,
  );
  const runs: Figures[] = [await measure('(a) 1 process, SQLite + disk', 1, false, photos)];
  if (testPostgresUrl() === null) {
    console.log('(b) and (c) NOT RUN: set SHOEBOX_TEST_DATABASE_URL to a PostgreSQL server.');
  } else {
    runs.push(await measure('(b) 1 process, PostgreSQL + S3', 1, true, photos));
    runs.push(await measure('(c) 2 processes, PostgreSQL + S3', 2, true, photos));
  }
  console.log(
    'setup                              photos failed  uploads/s  to thumbs/s  p95 ms  CPU s/photo  s3rver CPU s/photo',
  );
  for (const figures of runs) {
    console.log(
      [
        figures.name.padEnd(34),
        String(figures.photos).padStart(6),
        String(figures.failed).padStart(6),
        figures.uploadRate.toFixed(1).padStart(10),
        figures.thumbRate.toFixed(1).padStart(12),
        figures.p95Ms.toFixed(0).padStart(7),
        figures.cpuPerPhoto.toFixed(3).padStart(12),
        (figures.s3CpuPerPhoto?.toFixed(3) ?? '-').padStart(19),
      ].join(' '),
    );
  }
  for (const figures of runs) {
    for (const [reason, count] of figures.failures) console.log(`${figures.name}: ${count} × ${reason}`);
  }
  const [a, b, c] = runs;
  if (a !== undefined && b !== undefined && c !== undefined) {
    console.log(`(b) CPU per photo / (a): ${(b.cpuPerPhoto / a.cpuPerPhoto).toFixed(2)} (target ≤ 1.5)`);
    console.log(
      `(c) rate / (b) rate: ${(c.uploadRate / b.uploadRate).toFixed(2)} uploads, ${(c.thumbRate / b.thumbRate).toFixed(2)} to thumbnails (target ≥ 1)`,
    );
  }
  console.log(`load average after: ${load()}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
