/**
 * Issue 20: `shoebox upload` (the built CLI, as `npx shoebox` runs it) against the real server,
 * through a loopback proxy that records every request.
 * - A folder of the corpus: every photo and video stored once, as MANIFEST.tsv says (the identical
 *   pair is one asset), the files Shoebox cannot take skipped with their reasons, nothing sent by
 *   `--dry-run` first.
 * - A rerun: nothing hashed, checked or sent (two requests: the server's config and who am I);
 *   it trusts (path, size, mtime) as rsync does, and hashes again exactly the file that changed.
 * - SIGKILL in the middle of a multi-chunk file, then a rerun: no new upload, a HEAD, and only the
 *   bytes after the server's offset sent; Ctrl-C the same, ending cleanly with exit code 130.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cp, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, AssetPage } from '../../src/shared/api';
import { EMPTY_FILE_REASON, UNKNOWN_TYPE_REASON } from '../../src/shared/limits';
import {
  CORPUS_DIR,
  api,
  corpusFile,
  createApiToken,
  createOwner,
  makeTempDir,
  manifest,
  startServer,
  type Account,
  type TestServer,
} from '../server/helpers';
import {
  makeHome,
  outcomesOf,
  recordingProxy,
  runCli,
  startCli,
  summaryOf,
  type RecordingProxy,
} from './helpers';

const CHUNK = 1024 * 1024;
/** Below canon-dslr.jpg's 17.9 MP, above every other photo of the corpus. */
const MAX_PIXELS = 16_000_000;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('shoebox upload against the real server', () => {
  let server: TestServer;
  let owner: Account;
  let proxy: RecordingProxy;
  let env: Record<string, string>;
  let folder: string;

  beforeAll(async () => {
    server = await startServer({
      app: { startJobs: false },
      env: { SHOEBOX_TUS_MAX_CHUNK_BYTES: String(CHUNK), SHOEBOX_MAX_PHOTO_PIXELS: String(MAX_PIXELS) },
    });
    owner = await createOwner(server.baseUrl);
    proxy = await recordingProxy(server.baseUrl);
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'cli');
    // Credentials from the environment, as a cron job or a container would give them.
    env = { ...(await makeHome()), SHOEBOX_URL: proxy.url, SHOEBOX_TOKEN: token };
    // A copy, with the files' times kept, so the rerun test can change one.
    folder = path.join(await makeTempDir('shoebox-cli-corpus-'), 'corpus');
    await cp(CORPUS_DIR, folder, { recursive: true, preserveTimestamps: true });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  async function library(): Promise<Asset[]> {
    const page = await api<AssetPage>(server.baseUrl, 'GET', '/api/assets?limit=500', { auth: owner.auth });
    return page.body.items;
  }

  it('uploads a corpus folder: each photo once, the rest skipped with reasons; --dry-run sends nothing', async () => {
    const photos = manifest().filter((row) => row.kind !== 'empty' && row.filename !== 'canon-dslr.jpg');
    const distinct = new Set(photos.map((row) => row.sha256));
    expect(distinct.size).toBe(photos.length - 1); // the identical pair

    const dry = await runCli(['upload', folder, '--dry-run', '--json'], { env });
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(summaryOf(dry.stdout)).toMatchObject({
      dryRun: true,
      wouldUpload: { files: distinct.size },
      alreadyThere: { files: 1 },
      uploaded: { files: 0 },
    });
    expect(proxy.tus()).toEqual([]);
    expect(await library()).toEqual([]);

    proxy.requests.length = 0;
    const run = await runCli(['upload', folder, '--json'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = summaryOf(run.stdout);
    expect(summary).toMatchObject({
      uploaded: { files: distinct.size },
      alreadyThere: { files: 1 },
      failed: [],
    });

    // Skipped, each with the app's sentence: not media, empty, over the server's pixel limit (read
    // from the photo's headers, so it was neither hashed nor sent).
    const outcomes = outcomesOf(run.stdout);
    expect(
      Object.fromEntries(
        [...outcomes]
          .filter(([, line]) => line.outcome === 'skipped')
          .map(([name, line]) => [name, line.reason]),
      ),
    ).toEqual({
      'MANIFEST.tsv': UNKNOWN_TYPE_REASON,
      'README.md': UNKNOWN_TYPE_REASON,
      'zero-byte.jpg': EMPTY_FILE_REASON,
      'canon-dslr.jpg': 'Larger than 16 megapixels (17.9 MP).',
    });
    // The broken photos the app backs up as they are (a truncated JPEG, an undecodable one, a HEIC
    // named .jpg, a fuzzed HEIF) are backed up here too.
    for (const name of [
      '32d08f4a5eb10332506ebedbb9bc7257.jpg',
      'beach.jpg',
      'IMG_2927.jpg',
      'NegativeArraySizeException.HeifReader.processBoxes.heif',
    ]) {
      expect(outcomes.get(name)?.outcome).toBe('uploaded');
    }
    // The identical pair: one upload, and the other is that same asset.
    const pair = ['Canon IXUS.jpg', 'canon-ixus.jpg'].map((name) => outcomes.get(name));
    expect(pair.map((line) => line?.outcome).sort()).toEqual(['already-there', 'uploaded']);
    expect(pair[0]?.assetId).toBe(pair[1]?.assetId);

    // The library holds each distinct photo once, byte for byte as the manifest says.
    const stored = await library();
    expect(stored.map((asset) => asset.sha256).sort()).toEqual([...distinct].sort());
    const byHash = new Map(photos.map((row) => [row.sha256, row]));
    for (const asset of stored) expect(asset.bytes).toBe(byHash.get(asset.sha256)?.bytes);

    // Checked before a byte was sent, in batches; every byte sent once.
    const checks = proxy.requests.filter((entry) => entry.url === '/api/assets/check');
    expect(checks.length).toBeGreaterThan(0);
    const firstUpload = proxy.requests.findIndex((entry) => entry.url.startsWith('/api/uploads'));
    expect(proxy.requests.indexOf(checks[0]!)).toBeLessThan(firstUpload);
    const sent = proxy.tus().reduce((sum, entry) => sum + entry.bodyBytes, 0);
    expect(sent).toBe(stored.reduce((sum, asset) => sum + asset.bytes, 0));
    expect(summary.sentBytes).toBe(sent);
    expect(proxy.tus().filter((entry) => entry.method === 'POST')).toHaveLength(distinct.size);
  });

  it('reruns without reading, checking or sending anything, and hashes again only what changed', async () => {
    proxy.requests.length = 0;
    const rerun = await runCli(['upload', folder, '--json'], { env });
    expect(rerun.code).toBe(0);
    expect(proxy.requests.map((entry) => `${entry.method} ${entry.url}`).sort()).toEqual([
      'GET /api/config',
      'GET /api/me',
    ]);
    const summary = summaryOf(rerun.stdout);
    expect(summary).toMatchObject({
      hashed: { files: 0, bytes: 0 },
      uploaded: { files: 0 },
      // The corpus but the empty file and the photo over the pixel limit.
      alreadyThere: { files: manifest().length - 2 },
      sentBytes: 0,
    });
    expect(summary.skipped).toHaveLength(4);

    // New bytes under the same size and modification time are not even read (rsync's quick check)…
    const target = path.join(folder, 'Landscape_1.jpg');
    const before = await stat(target);
    const original = await readFile(target);
    const changed = Buffer.concat([original.subarray(0, original.length - 16), randomBytes(16)]);
    await writeFile(target, changed);
    await utimes(target, before.atime, before.mtime);
    proxy.requests.length = 0;
    const blind = await runCli(['upload', folder, '--json'], { env });
    expect(summaryOf(blind.stdout)).toMatchObject({ hashed: { files: 0 }, uploaded: { files: 0 } });
    expect(proxy.tus()).toEqual([]);

    // …and once its time changes too, that one file is hashed and uploaded, nothing else.
    const later = new Date(before.mtimeMs + 60_000);
    await utimes(target, later, later);
    proxy.requests.length = 0;
    const touched = await runCli(['upload', folder, '--json'], { env });
    expect(touched.code).toBe(0);
    expect(summaryOf(touched.stdout)).toMatchObject({
      hashed: { files: 1, bytes: changed.length },
      uploaded: { files: 1, bytes: changed.length },
      sentBytes: changed.length,
    });
    expect(outcomesOf(touched.stdout).get('Landscape_1.jpg')?.outcome).toBe('uploaded');
    expect((await library()).some((asset) => asset.sha256 === sha256(changed))).toBe(true);
  });

  /** A folder holding one photo of `chunks` chunks that the server has never seen. */
  async function bigPhoto(chunks: number): Promise<{ dir: string; bytes: Buffer }> {
    const dir = await makeTempDir('shoebox-cli-big-');
    const jpeg = await readFile(corpusFile('IMG_20180725_163423.jpg').path);
    const bytes = Buffer.concat([jpeg, randomBytes(chunks * CHUNK - jpeg.length - 1000)]);
    await writeFile(path.join(dir, 'big.jpg'), bytes);
    return { dir, bytes };
  }

  /** Where the server stands on the upload at `location`, once its last PATCH has let go of it. */
  async function serverOffset(location: string): Promise<number> {
    const token = env.SHOEBOX_TOKEN ?? '';
    for (;;) {
      const head = await fetch(new URL(location, server.baseUrl), {
        method: 'HEAD',
        headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' },
      });
      if (head.status === 200) return Number(head.headers.get('upload-offset'));
      // 423: the cut PATCH still holds the upload's lock; it is released as the server notices.
      expect(head.status).toBe(423);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function interruptedThenResumed(stop: 'SIGKILL' | 'SIGINT'): Promise<void> {
    const { dir, bytes } = await bigPhoto(6);
    proxy.requests.length = 0;
    const held = proxy.holdPatchesAfter(Math.floor(2.5 * CHUNK));
    const first = startCli(['upload', dir, '--json'], { env });
    await held;
    first.child.kill(stop);
    if (stop === 'SIGINT') {
      // Ctrl-C: the CLI stops its upload itself, says what is left, and ends with 130.
      const ended = await first.done;
      expect(ended.code).toBe(130);
      expect(summaryOf(ended.stdout)).toMatchObject({
        notDone: 1,
        uploaded: { files: 0 },
        interrupted: true,
      });
    } else {
      expect((await first.done).signal).toBe('SIGKILL');
    }
    proxy.cutHeld();
    const created = proxy.tus().filter((entry) => entry.method === 'POST');
    expect(created).toHaveLength(1);
    const location = proxy.tus().find((entry) => entry.method === 'PATCH')?.url ?? '';
    const offset = await serverOffset(location);
    expect(offset).toBeGreaterThanOrEqual(2 * CHUNK);
    expect(offset).toBeLessThan(bytes.length);

    proxy.requests.length = 0;
    const rerun = await runCli(['upload', dir, '--json'], { env });
    expect(rerun.code).toBe(0);
    const tus = proxy.tus();
    // Not created again, not checked again: asked where it stands, then sent from there.
    expect(tus.filter((entry) => entry.method === 'POST')).toEqual([]);
    expect(tus[0]).toMatchObject({ method: 'HEAD', url: location });
    const patches = tus.filter((entry) => entry.method === 'PATCH');
    expect(patches[0]?.headers['upload-offset']).toBe(String(offset));
    expect(patches.reduce((sum, entry) => sum + entry.bodyBytes, 0)).toBe(bytes.length - offset);
    const summary = summaryOf(rerun.stdout);
    expect(summary).toMatchObject({ uploaded: { files: 1 }, resumed: 1, sentBytes: bytes.length - offset });
    const assetId = String(outcomesOf(rerun.stdout).get('big.jpg')?.assetId);
    const asset = await api<Asset>(server.baseUrl, 'GET', `/api/assets/${assetId}`, { auth: owner.auth });
    expect(asset.body.sha256).toBe(sha256(bytes));
  }

  it('resumes from the server’s offset after SIGKILL in the middle of a multi-chunk file', async () => {
    await interruptedThenResumed('SIGKILL');
  });

  it('stops cleanly on Ctrl-C (exit 130) and resumes from the server’s offset', async () => {
    await interruptedThenResumed('SIGINT');
  });
});
