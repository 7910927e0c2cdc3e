/**
 * Issue 20: signing the CLI in and what happens when its token stops working. `shoebox login`
 * makes an API token from the account's email and password and keeps it in the user's config
 * directory, readable by the user only; a revoked token ends every command with a sentence saying
 * what to do and exit code 3, before anything is read or sent.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiToken } from '../../src/shared/api';
import {
  api,
  corpusFile,
  createOwner,
  makeTempDir,
  startServer,
  type Account,
  type TestServer,
} from '../server/helpers';
import { makeHome, recordingProxy, runCli, type RecordingProxy } from './helpers';

describe('shoebox login, status and a revoked token', () => {
  let server: TestServer;
  let owner: Account;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    server = await startServer({ app: { startJobs: false } });
    owner = await createOwner(server.baseUrl);
    proxy = await recordingProxy(server.baseUrl);
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('signs in with a password, keeps a token only the user can read, and says who is signed in', async () => {
    const home = await makeHome();
    const wrong = await runCli(['login', proxy.url, '--email', owner.email, '--password-stdin'], {
      env: home,
      input: 'not the password\n',
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('That email and password do not match an account.');

    const signed = await runCli(['login', proxy.url, '--email', owner.email, '--password-stdin'], {
      env: home,
      input: `${owner.password}\n`,
    });
    expect(signed.stderr).toContain(`Signed in to ${proxy.url} as Owner (${owner.email})`);
    expect(signed.code).toBe(0);

    const file = path.join(home.XDG_CONFIG_HOME ?? '', 'shoebox', 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(file, 'utf8')) as {
      url: string;
      token: string;
      tokenId: string;
    };
    expect(stored.url).toBe(proxy.url);
    expect(stored.token).toMatch(/^sbx_/);
    // A token of the account, named after this computer; the sign-in session was ended.
    const tokens = await api<ApiToken[]>(server.baseUrl, 'GET', '/api/tokens', { auth: owner.auth });
    expect(tokens.body).toEqual([expect.objectContaining({ id: stored.tokenId, scope: 'full' })]);
    expect(tokens.body[0]?.name).toMatch(/^shoebox CLI on /);

    const status = await runCli(['status'], { env: home });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Signed in to ${proxy.url} as Owner (${owner.email})`);
    expect(status.stdout).toContain('photos up to 75 MB and 100 MP, videos up to 10 GB');
  });

  it('stops with exit code 3 and what to do once the token is revoked, sending nothing', async () => {
    const home = await makeHome();
    const login = await runCli(['login', proxy.url, '--email', owner.email, '--password-stdin'], {
      env: home,
      input: owner.password,
    });
    expect(login.code).toBe(0);
    const { tokenId } = JSON.parse(
      await readFile(path.join(home.XDG_CONFIG_HOME ?? '', 'shoebox', 'credentials.json'), 'utf8'),
    ) as { tokenId: string };
    const revoked = await api(server.baseUrl, 'DELETE', `/api/tokens/${tokenId}`, { auth: owner.auth });
    expect(revoked.status).toBe(204);

    const dir = await makeTempDir('shoebox-cli-revoked-');
    await writeFile(path.join(dir, 'photo.jpg'), await readFile(corpusFile('Canon_40D.jpg').path));
    proxy.requests.length = 0;
    for (const args of [['upload', dir], ['upload', dir, '--json'], ['status']]) {
      const run = await runCli(args, { env: home });
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.stderr).toContain(
        `${proxy.url} no longer accepts this token: it was revoked or has expired.`,
      );
      expect(run.stderr).toContain(`Sign in again with \`shoebox login ${proxy.url}\`.`);
    }
    expect(proxy.requests.filter((entry) => entry.url !== '/api/config' && entry.url !== '/api/me')).toEqual(
      [],
    );

    const notSignedIn = await runCli(['upload', dir], { env: await makeHome() });
    expect(notSignedIn.code).toBe(3);
    expect(notSignedIn.stderr).toContain('Not signed in. Run `shoebox login URL`');
  });

  it('refuses a path that does not exist (exit 2) before anything is sent', async () => {
    const home = await makeHome();
    const login = await runCli(['login', proxy.url, '--email', owner.email, '--password-stdin'], {
      env: home,
      input: owner.password,
    });
    expect(login.code).toBe(0);
    proxy.requests.length = 0;
    const run = await runCli(['upload', '/nowhere/at/all'], { env: home });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No such file or folder: /nowhere/at/all. Nothing was uploaded.');
    expect(proxy.tus()).toEqual([]);
  });
});
