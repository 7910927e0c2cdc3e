/**
 * Issue 20: `shoebox upload --album NAME` against the real server's albums (issue 16). The photos of
 * a run, uploaded or already there, go in the caller's album of that name, made once; a rerun with
 * a new photo adds it and makes no second album; a dry run makes nothing; a token that may only
 * upload is stopped before anything is sent, saying why.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedToken } from '../../src/shared/api';
import type { AlbumList } from '../../src/shared/albums';
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
import { makeHome, outcomesOf, recordingProxy, runCli, type RecordingProxy } from './helpers';

/** A photo of the corpus with random bytes after its end: one the server has not seen. */
async function newPhoto(dir: string, name: string): Promise<void> {
  const jpeg = await readFile(corpusFile('Canon_40D.jpg').path);
  await writeFile(path.join(dir, name), Buffer.concat([jpeg, randomBytes(16)]));
}

describe('shoebox upload --album', () => {
  let server: TestServer;
  let owner: Account;
  let proxy: RecordingProxy;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startServer({ app: { startJobs: false } });
    owner = await createOwner(server.baseUrl);
    proxy = await recordingProxy(server.baseUrl);
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'cli');
    env = { ...(await makeHome()), SHOEBOX_URL: proxy.url, SHOEBOX_TOKEN: token };
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  async function albums(): Promise<AlbumList['albums']> {
    return (await api<AlbumList>(server.baseUrl, 'GET', '/api/albums', { auth: owner.auth })).body.albums;
  }

  it('puts the run’s photos in the album, made once, and adds what a rerun brings', async () => {
    const dir = await makeTempDir('shoebox-cli-album-');
    await newPhoto(dir, 'a.jpg');
    await newPhoto(dir, 'b.jpg');

    const dry = await runCli(['upload', dir, '--album', 'Summer 2024', '--dry-run'], { env, cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('They would go in the album “Summer 2024” (a new album).');
    expect(await albums()).toEqual([]);

    const first = await runCli(['upload', dir, '--album', 'Summer 2024', '--json'], { env, cwd: dir });
    expect(first.code).toBe(0);
    const ids = [...outcomesOf(first.stdout).values()].map((line) => line.assetId);
    expect(ids).toHaveLength(2);
    const [album] = await albums();
    expect(album).toMatchObject({ name: 'Summer 2024', count: 2, access: 'owner' });

    // A new photo beside the two already backed up: all three in the same album, no second album.
    await newPhoto(dir, 'c.jpg');
    const rerun = await runCli(['upload', dir, '--album', 'Summer 2024'], { env, cwd: dir });
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('1 uploaded');
    expect(rerun.stdout).toContain('2 already backed up');
    expect(rerun.stdout).toContain('3 in the album “Summer 2024”.');
    expect(await albums()).toEqual([expect.objectContaining({ id: album?.id, count: 3 })]);
  });

  it('stops a token that may only upload before sending anything, saying why', async () => {
    const upload = await api<CreatedToken>(server.baseUrl, 'POST', '/api/tokens', {
      auth: owner.auth,
      body: { name: 'upload only', scope: 'upload' },
    });
    expect(upload.status).toBe(201);
    const dir = await makeTempDir('shoebox-cli-album-scope-');
    await newPhoto(dir, 'd.jpg');
    proxy.requests.length = 0;
    const run = await runCli(['upload', dir, '--album', 'Holidays'], {
      env: { ...env, SHOEBOX_TOKEN: upload.body.token },
      cwd: dir,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('This token is not allowed to do that (GET /api/albums).');
    expect(proxy.tus()).toEqual([]);
    expect((await albums()).map((album) => album.name)).toEqual(['Summer 2024']);
  });
});
