/**
 * Issue 20: exactly once across restarts, of the server and of the CLI.
 * - The server stops in the middle of a multi-chunk file and starts again on the same data: the
 *   same run carries on with the same upload from the server's offset (tus-js-client's retries),
 *   and the library holds the photo once.
 * - The answer that completes an upload is lost and the CLI is killed before it hears it: the
 *   rerun learns from the server that the photo is stored (a HEAD on the recorded upload, or the
 *   hash check for a photo sent in one request) and sends nothing again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, AssetPage } from '../../src/shared/api';
import { ASSET_ID_HEADER } from '../../src/shared/tus';
import {
  api,
  corpusFile,
  createApiToken,
  createOwner,
  makeTempDir,
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
const SERVER_ENV = { SHOEBOX_TUS_MAX_CHUNK_BYTES: String(CHUNK) };

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A folder holding one photo of `bytes` bytes (at least), that no server has seen. */
async function photoFolder(bytes: number): Promise<{ dir: string; photo: Buffer }> {
  const dir = await makeTempDir('shoebox-cli-restart-');
  // A real JPEG head (the server sniffs it): 8 KB, or 4 MB for a file larger than that.
  const source = bytes < CHUNK ? 'Canon_40D.jpg' : 'IMG_20180725_163423.jpg';
  const jpeg = await readFile(corpusFile(source).path);
  const photo = Buffer.concat([jpeg, randomBytes(Math.max(16, bytes - jpeg.length))]);
  await writeFile(path.join(dir, 'photo.jpg'), photo);
  return { dir, photo };
}

describe('shoebox upload across restarts', () => {
  let server: TestServer;
  let owner: Account;
  let proxy: RecordingProxy;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startServer({ app: { startJobs: false }, env: SERVER_ENV });
    owner = await createOwner(server.baseUrl);
    proxy = await recordingProxy(server.baseUrl);
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'cli');
    env = { ...(await makeHome()), SHOEBOX_URL: proxy.url, SHOEBOX_TOKEN: token };
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  async function stored(photo: Buffer): Promise<Asset[]> {
    const page = await api<AssetPage>(server.baseUrl, 'GET', '/api/assets?limit=500', { auth: owner.auth });
    return page.body.items.filter((asset) => asset.sha256 === sha256(photo));
  }

  it('carries on with the same upload from the server’s offset when the server restarts mid-file', async () => {
    const { dir, photo } = await photoFolder(6 * CHUNK - 1000);
    proxy.requests.length = 0;
    const held = proxy.holdPatchesAfter(Math.floor(2.5 * CHUNK));
    const run = startCli(['upload', dir, '--json'], { env });
    await held;

    // The server goes away with a PATCH half received, and comes back on the same data.
    proxy.cutHeld();
    await server.stop();
    const cutAt = proxy.requests.length;
    server = await startServer({ app: { startJobs: false }, env: SERVER_ENV, dataDir: server.dataDir });
    proxy.retarget(server.baseUrl);

    const ended = await run.done;
    expect(ended.stderr).toBe('');
    expect(ended.code).toBe(0);
    // A retry within the run, not the resume of an earlier run's upload.
    expect(summaryOf(ended.stdout)).toMatchObject({
      uploaded: { files: 1 },
      resumed: 0,
      failed: [],
      notDone: 0,
    });

    // One upload, created once; after the restart it asked where it stood and sent only the rest.
    const tus = proxy.tus();
    expect(tus.filter((entry) => entry.method === 'POST')).toHaveLength(1);
    const after = proxy.requests.slice(cutAt).filter((entry) => entry.status !== null);
    const head = after.find((entry) => entry.method === 'HEAD' && entry.status === 200);
    expect(head?.url).toBe(tus.find((entry) => entry.method === 'PATCH')?.url);
    const patches = after.filter((entry) => entry.method === 'PATCH');
    const resumedAt = Number(patches[0]?.headers['upload-offset']);
    expect(resumedAt).toBeGreaterThanOrEqual(2 * CHUNK);
    expect(patches.reduce((sum, entry) => sum + entry.bodyBytes, 0)).toBe(photo.length - resumedAt);

    const assets = await stored(photo);
    expect(assets).toHaveLength(1);
    expect(assets[0]?.id).toBe(outcomesOf(ended.stdout).get('photo.jpg')?.assetId);
  });

  for (const shape of [
    { name: 'the last PATCH of a multi-chunk file', bytes: 5 * CHUNK - 1000, lastMethod: 'PATCH' },
    { name: 'a photo sent in one request', bytes: CHUNK / 2, lastMethod: 'POST' },
  ]) {
    it(`sends nothing again when the answer to ${shape.name} was lost and the CLI killed`, async () => {
      const { dir, photo } = await photoFolder(shape.bytes);
      proxy.requests.length = 0;
      // The server stores the photo; its answer never reaches the CLI, which is killed waiting.
      const lost = proxy.holdAnswers((answer) => answer.headers[ASSET_ID_HEADER.toLowerCase()] !== undefined);
      const first = startCli(['upload', dir, '--json'], { env });
      expect((await lost).method).toBe(shape.lastMethod);
      first.child.kill('SIGKILL');
      expect((await first.done).signal).toBe('SIGKILL');
      const [asset] = await stored(photo);
      expect(asset).toBeDefined();

      proxy.requests.length = 0;
      const rerun = await runCli(['upload', dir, '--json'], { env });
      expect(rerun.code).toBe(0);
      const summary = summaryOf(rerun.stdout);
      expect(summary).toMatchObject({ hashed: { files: 0 }, sentBytes: 0, failed: [] });
      expect(outcomesOf(rerun.stdout).get('photo.jpg')?.assetId).toBe(asset?.id);
      const tus = proxy.tus().map((entry) => entry.method);
      if (shape.lastMethod === 'PATCH') {
        // The upload's URL was recorded before its first byte: one HEAD says it is complete.
        expect(tus).toEqual(['HEAD']);
      } else {
        // Created and completed in one request, it had no URL to record: the hash check finds it.
        expect(tus).toEqual([]);
        expect(proxy.requests.map((entry) => entry.url)).toContain('/api/assets/check');
      }
      expect(await stored(photo)).toHaveLength(1);
    });
  }
});
