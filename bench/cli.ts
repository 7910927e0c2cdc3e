/**
 * Issue 20: `npm run bench -- cli`. A folder of 2,000 photos (real corpus JPEGs, each with 16 random
 * bytes after its end so that none is a duplicate) backed up by the built `shoebox` CLI, against
 * the same bytes sent by curl as one request per file (tus creation-with-upload, the server's
 * one-request upload: no hashing on the client, no check, no state), four at a time as the CLI's
 * default `--concurrency`, each on a fresh server started the same way (the built server, SQLite,
 * `SHOEBOX_ROLE=api` so that no thumbnail job competes for the two sides' time), over loopback.
 * Prints photos per second for both and the ratio, then a rerun of the CLI over the unchanged
 * folder (the fastest of three): its seconds less those of a run over an empty folder (Node starting, two requests),
 * scaled to 10,000 files, the files it read (none should be) and the server's time answering it
 * (from the server's request log). SHOEBOX_BENCH_CLI_PHOTOS changes the
 * count. Asserts nothing.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TUS_ENDPOINT } from '../src/shared/tus.ts';
import { corpusFile } from '../tests/support/corpus.ts';
import { ensureCliBuilt, ensureServerBuilt } from '../tests/support/build.ts';
import { removeDir, startServer, type RunningServer } from '../tests/e2e/harness.ts';
import { createApiToken, createOwner } from '../tests/server/helpers.ts';

const PHOTOS = Number(process.env.SHOEBOX_BENCH_CLI_PHOTOS ?? 2000);
const CONCURRENCY = 4;
const SOURCES = [
  'IMG_2927.jpg',
  'Landscape_1.jpg',
  'Portrait_2.jpg',
  'HTC One.jpg',
  'DSCN0010.jpg',
  'Canon IXUS.jpg',
];

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

function makePhotos(dir: string): { paths: string[]; sizes: number[]; bytes: number } {
  const sources = SOURCES.map((name) => readFileSync(corpusFile(name).path));
  const paths: string[] = [];
  const sizes: number[] = [];
  for (let index = 0; index < PHOTOS; index++) {
    const photo = Buffer.concat([sources[index % sources.length] ?? Buffer.alloc(0), randomBytes(16)]);
    const path = join(dir, `photo-${String(index).padStart(5, '0')}.jpg`);
    writeFileSync(path, photo);
    paths.push(path);
    sizes.push(photo.length);
  }
  return { paths, sizes, bytes: sizes.reduce((sum, size) => sum + size, 0) };
}

function exec(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function freshServer(): Promise<{ server: RunningServer; token: string }> {
  const server = await startServer({
    env: { SHOEBOX_ROLE: 'api', LOG_LEVEL: 'debug', LOG_FORMAT: 'json' },
  });
  const owner = await createOwner(server.url);
  const { token } = await createApiToken(server.url, owner.auth, 'bench');
  return { server, token };
}

/** The requests a server logged (one JSON line each, at debug) and the milliseconds it took over them. */
function serverTime(output: string): { requests: number; ms: number } {
  let requests = 0;
  let ms = 0;
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { responseTime?: number };
    if (typeof entry.responseTime !== 'number') continue;
    requests++;
    ms += entry.responseTime;
  }
  return { requests, ms };
}

/** The baseline: curl, one POST carrying each whole file, CONCURRENCY at once. */
async function curlAll(paths: string[], sizes: number[], dir: string): Promise<number> {
  const { server, token } = await freshServer();
  try {
    const config = paths
      .map((path, index) =>
        [
          `url = "${server.url}${TUS_ENDPOINT}"`,
          'request = "POST"',
          `header = "Authorization: Bearer ${token}"`,
          'header = "Tus-Resumable: 1.0.0"',
          `header = "Upload-Length: ${sizes[index] ?? 0}"`,
          'header = "Content-Type: application/offset+octet-stream"',
          // No 100-continue round trip: the CLI does not wait for one either.
          'header = "Expect:"',
          `data-binary = "@${path}"`,
          'output = "/dev/null"',
          'write-out = "%{http_code}\\n"',
        ].join('\n'),
      )
      .join('\nnext\n');
    const configFile = join(dir, 'curl.config');
    writeFileSync(configFile, `${config}\n`);
    const started = performance.now();
    const result = await exec('curl', [
      '--silent',
      '--parallel',
      '--parallel-max',
      String(CONCURRENCY),
      '--config',
      configFile,
    ]);
    const seconds = (performance.now() - started) / 1000;
    const created = result.stdout.split('\n').filter((code) => code === '201').length;
    if (created !== paths.length) {
      throw new Error(`curl stored ${created} of ${paths.length} photos:\n${result.stderr}`);
    }
    return seconds;
  } finally {
    await server.stop();
    removeDir(server.dataDir);
  }
}

interface CliSummary {
  uploaded: { files: number };
  alreadyThere: { files: number };
  hashed: { files: number; bytes: number };
}

/** After a first untimed run (caches warm), runs are timed this many times and the fastest kept: other load only adds. */
const RERUNS = 3;

async function fastest<T>(task: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  let seconds = Number.POSITIVE_INFINITY;
  let result = await task();
  for (let round = 0; round < RERUNS; round++) {
    const started = performance.now();
    result = await task();
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
  }
  return { seconds, result };
}

async function shoebox(cli: string, dir: string, env: NodeJS.ProcessEnv): Promise<CliSummary> {
  const result = await exec(process.execPath, [cli, 'upload', dir, '--json'], env);
  const line = result.stdout.split('\n').find((text) => text.includes('"event":"summary"'));
  if (result.code !== 0 || line === undefined) {
    throw new Error(`shoebox upload failed (${String(result.code)}):\n${result.stderr}`);
  }
  return JSON.parse(line) as CliSummary;
}

export async function run(): Promise<void> {
  ensureServerBuilt();
  const cli = ensureCliBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'shoebox-bench-cli-'));
  try {
    const photos = join(dir, 'photos');
    await mkdir(photos);
    const { paths, sizes, bytes } = makePhotos(photos);
    console.log(
      `${PHOTOS} photos, ${(bytes / 1024 / 1024).toFixed(0)} MB (${(bytes / PHOTOS / 1024).toFixed(0)} KB each on average), over loopback, ${CONCURRENCY} at once; load average ${load()}`,
    );

    const curlSeconds = await curlAll(paths, sizes, dir);
    const curlRate = PHOTOS / curlSeconds;
    console.log(`curl, one request per file: ${curlSeconds.toFixed(1)} s, ${curlRate.toFixed(1)} photos/s`);

    const { server, token } = await freshServer();
    try {
      const home = join(dir, 'home');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: join(home, 'config'),
        XDG_DATA_HOME: join(home, 'data'),
        SHOEBOX_URL: server.url,
        SHOEBOX_TOKEN: token,
      };
      const started = performance.now();
      const first = await shoebox(cli, photos, env);
      const cliSeconds = (performance.now() - started) / 1000;
      const cliRate = PHOTOS / cliSeconds;
      console.log(
        `shoebox upload: ${cliSeconds.toFixed(1)} s, ${cliRate.toFixed(1)} photos/s (${first.uploaded.files} uploaded, ${first.hashed.files} hashed); ${(cliRate / curlRate).toFixed(2)}× curl's rate`,
      );

      // What any run costs whatever the folder (Node starting, the config and who-am-I requests):
      // a run over an empty folder, so the rerun's cost per file is what is left.
      const empty = join(dir, 'empty');
      await mkdir(empty);
      const { seconds: fixedSeconds } = await fastest(() => shoebox(cli, empty, env));
      const logged = server.output().length;
      const {
        seconds: rerunSeconds,
        result: { alreadyThere, hashed },
      } = await fastest(() => shoebox(cli, photos, env));
      const answered = serverTime(server.output().slice(logged));
      const perFile = Math.max(0, rerunSeconds - fixedSeconds) / PHOTOS;
      console.log(
        `rerun over the unchanged folder: ${rerunSeconds.toFixed(2)} s, of which ${fixedSeconds.toFixed(2)} s any run takes ` +
          `(an empty folder): ${(perFile * 10_000).toFixed(2)} s per 10,000 unchanged files; ` +
          `${alreadyThere.files} already backed up, ${hashed.files} files read; ` +
          `server: ${answered.requests / (RERUNS + 1)} requests, ${(answered.ms / (RERUNS + 1)).toFixed(0)} ms a run`,
      );
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
    console.log(`load average at the end: ${load()}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
