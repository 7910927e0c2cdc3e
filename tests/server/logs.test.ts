/**
 * The server's logs as its operator meets them: the real server process (build/server/main.js,
 * what `npm start` runs), on a terminal (a pseudo-terminal from util-linux `script`) and with its
 * output piped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedToken } from '../../src/shared/api';
import { dropTestDatabase, ensureTestDatabase } from '../../src/server/db/testing';
import { ensureServerBuilt } from '../support/build';
import {
  DIALECT,
  REPO_ROOT,
  api,
  encodeMetadata,
  makeTempDir,
  readCorpusFile,
  sessionCookie,
  sha256Hex,
} from './helpers';

interface RunningServer {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

let serverMain = '';
beforeAll(() => {
  serverMain = ensureServerBuilt();
});

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No port.');
  return address.port;
}

/** ANSI colour codes and the carriage returns a terminal adds. */
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '');

/**
 * `npm start`'s server process on a free port with its own data. On a terminal it runs under
 * `script`, which gives it a pseudo-terminal as stdout and copies what it prints.
 */
async function startProcess(env: Record<string, string>, terminal: boolean): Promise<RunningServer> {
  const dataDir = await makeTempDir('shoebox-logs-');
  const database = await ensureTestDatabase(DIALECT, dataDir);
  const port = await freePort();
  const command = [process.execPath, '--enable-source-maps', serverMain];
  const environment: NodeJS.ProcessEnv = { ...process.env };
  delete environment.LOG_FORMAT;
  Object.assign(environment, {
    PORT: String(port),
    HOST: '127.0.0.1',
    SHOEBOX_DATA_DIR: dataDir,
    SHOEBOX_STATIC_DIR: path.join(dataDir, 'no-app'),
    ...(database.dialect === 'postgres' ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  const child: ChildProcess = terminal
    ? spawn('script', ['-qfec', command.map((part) => `'${part}'`).join(' '), '/dev/null'], {
        cwd: REPO_ROOT,
        env: environment,
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    : spawn(command[0] ?? '', command.slice(1), {
        cwd: REPO_ROOT,
        env: environment,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited at start:\n${output}`);
    const up = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`The server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const server: RunningServer = {
    url,
    output: () => plain(output),
    stop: async () => {
      // The server shuts down on SIGTERM; `script` passes a hang-up on to it when it ends.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await dropTestDatabase(DIALECT, dataDir);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
  running.push(server);
  return server;
}

/** Waits until the output has a line that matches, or fails with what it has. */
async function lineMatching(server: RunningServer, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = server
      .output()
      .split('\n')
      .find((candidate) => pattern.test(candidate));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`No line matches ${pattern} in:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the server log', () => {
  it('prints one readable line per event on a terminal', async () => {
    const server = await startProcess({ LOG_LEVEL: 'debug' }, true);
    await fetch(`${server.url}/api/config`);
    const listening = await lineMatching(server, /Server listening at/);
    expect(listening).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+$/,
    );
    const request = await lineMatching(server, /GET \/api\/config/);
    expect(request).toMatch(/^\[[\d :-]+\] DEBUG: GET \/api\/config → 200 \(\d+ ms\) \{"reqId":"req-\d+"\}$/);
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
  });

  it('prints JSON on a terminal when asked (LOG_FORMAT=json)', async () => {
    const server = await startProcess({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, true);
    await lineMatching(server, /Server listening at/);
    const events = jsonLines(server.output());
    expect(events.find((event) => event.msg === `Server listening at ${server.url}`)).toMatchObject({
      level: 30,
    });
  });

  it('prints JSON when not on a terminal, and requests only at debug', async () => {
    const quiet = await startProcess({ LOG_LEVEL: 'info' }, false);
    const verbose = await startProcess({ LOG_LEVEL: 'debug' }, false);
    for (const server of [quiet, verbose]) {
      expect((await fetch(`${server.url}/api/config`)).status).toBe(200);
      expect((await fetch(`${server.url}/api/nothing`)).status).toBe(404);
    }
    await lineMatching(verbose, /\/api\/nothing/);
    await quiet.stop();
    const quietEvents = jsonLines(quiet.output());
    expect(quietEvents.some((event) => event.msg === `Server listening at ${quiet.url}`)).toBe(true);
    expect(quietEvents.filter((event) => JSON.stringify(event).includes('/api/'))).toEqual([]);

    const requests = jsonLines(verbose.output()).filter((event) => typeof event.url === 'string');
    expect(requests).toEqual([
      expect.objectContaining({ level: 20, method: 'GET', url: '/api/health', statusCode: 200 }),
      expect.objectContaining({ level: 20, method: 'GET', url: '/api/config', statusCode: 200 }),
      expect.objectContaining({ level: 20, method: 'GET', url: '/api/nothing', statusCode: 404 }),
    ]);
  });

  it('never writes a password, a session cookie or a token, at any level', async () => {
    const server = await startProcess({ LOG_LEVEL: 'trace' }, false);
    const password = 'a secret passphrase 1f3a';
    const setup = await api(server.url, 'POST', '/api/setup', {
      body: { email: 'owner@example.com', name: 'Owner', password },
    });
    expect(setup.status).toBe(201);
    const cookie = sessionCookie(setup.headers);
    const login = await api(server.url, 'POST', '/api/auth/login', {
      body: { email: 'owner@example.com', password },
    });
    expect(login.status).toBe(200);
    const wrong = await api(server.url, 'POST', '/api/auth/login', {
      body: { email: 'owner@example.com', password: `${password} wrong` },
    });
    expect(wrong.status).toBe(401);
    // A body that breaks its schema: the validation error names the field, not its value.
    const malformed = await api(server.url, 'POST', '/api/setup', {
      body: { email: 'not an email', name: 'x', password },
    });
    expect(malformed.status).toBe(400);
    const created = await api<CreatedToken>(server.url, 'POST', '/api/tokens', {
      auth: { cookie },
      body: { name: 'script' },
    });
    expect(created.status).toBe(201);
    const token = created.body.token;
    expect((await api(server.url, 'GET', '/api/me', { auth: { token } })).status).toBe(200);
    expect((await api(server.url, 'GET', `/api/me?token=${token}`, { auth: { cookie } })).status).toBe(200);
    expect((await api(server.url, 'GET', '/api/me', { auth: { token: `${token}x` } })).status).toBe(401);

    const photo = await readCorpusFile('Canon_40D.jpg');
    const sha256 = sha256Hex(photo);
    const upload = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-length': String(photo.byteLength),
        'upload-metadata': encodeMetadata({
          filename: 'a.jpg',
          type: 'image/jpeg',
          sha256,
          sourceSha256: sha256,
        }),
        'content-type': 'application/offset+octet-stream',
      },
      body: new Uint8Array(photo),
    });
    expect(upload.status).toBe(201);
    await lineMatching(server, /POST \/api\/uploads/);
    await server.stop();

    const output = server.output();
    // The log did record these requests: the check below is not passing on an empty log.
    expect(output).toContain('"url":"/api/auth/login"');
    expect(output).toContain('"url":"/api/me?token=REDACTED"');
    const session = cookie.split('=')[1] ?? '';
    for (const secret of [password, session, token, token.slice(4, 20)]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(output).not.toContain(secret);
    }
  });
});
