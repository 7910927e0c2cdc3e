/**
 * Issue 5, HTTPS: given SHOEBOX_TLS_CERT and SHOEBOX_TLS_KEY the server speaks TLS itself with that
 * certificate, the session cookie is Secure, and a missing or mismatched file stops it at start
 * with a sentence. The certificate is made here with `selfsigned`, for 127.0.0.1 and localhost.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app';
import { ConfigError, loadConfig } from '../../src/server/config';
import { loopbackCertificate, type Pems } from '../support/certificate';
import { makeTempDir, startServer, type TestServer } from './helpers';

interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  peerFingerprint: string;
}

/** One request over TLS that trusts only `ca` (Node's fetch cannot be given a CA without undici). */
function request(
  url: string,
  ca: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        ca,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            peerFingerprint: fingerprint,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function setCookieOf(response: HttpsResponse): string {
  const header = response.headers['set-cookie'];
  return Array.isArray(header) ? header.join('\n') : (header ?? '');
}

describe('HTTPS from SHOEBOX_TLS_CERT and SHOEBOX_TLS_KEY', () => {
  let dir: string;
  let pems: Pems;
  let certFile: string;
  let keyFile: string;
  let server: TestServer;
  let baseUrl: string;

  beforeAll(async () => {
    dir = await makeTempDir('shoebox-tls-');
    pems = await loopbackCertificate();
    certFile = path.join(dir, 'cert.pem');
    keyFile = path.join(dir, 'key.pem');
    await fs.writeFile(certFile, pems.cert);
    await fs.writeFile(keyFile, pems.key, { mode: 0o600 });
    server = await startServer({ env: { SHOEBOX_TLS_CERT: certFile, SHOEBOX_TLS_KEY: keyFile } });
    baseUrl = server.baseUrl.replace(/^http:/, 'https:');
  });

  afterAll(async () => {
    await server?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers /api/config over TLS with the configured certificate', async () => {
    const response = await request(`${baseUrl}/api/config`, pems.cert);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ limits: { maxPhotoBytes: expect.any(Number) } });
    expect(response.peerFingerprint).toBe(new X509Certificate(pems.cert).fingerprint256);
  });

  it('does not answer plain HTTP on the TLS port', async () => {
    await expect(fetch(`${server.baseUrl}/api/config`)).rejects.toThrow();
  });

  it('sets a Secure session cookie on setup and on sign-in, and the cookie signs requests in', async () => {
    const account = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery' };
    const setup = await request(`${baseUrl}/api/setup`, pems.cert, { method: 'POST', body: account });
    expect(setup.status).toBe(201);
    expect(setCookieOf(setup)).toMatch(/shoebox_session=[^;]+;.*Secure/);

    const login = await request(`${baseUrl}/api/auth/login`, pems.cert, {
      method: 'POST',
      body: { email: account.email, password: account.password },
    });
    expect(login.status).toBe(200);
    const cookie = setCookieOf(login);
    expect(cookie).toMatch(/shoebox_session=[^;]+;.*Secure/);
    expect(cookie).toMatch(/HttpOnly/);

    const session = /shoebox_session=[^;]+/.exec(cookie)?.[0] ?? '';
    const me = await request(`${baseUrl}/api/me`, pems.cert, { headers: { cookie: session } });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ email: account.email });
  });
});

describe('TLS configuration errors', () => {
  let dir: string;
  let pems: Pems;

  beforeAll(async () => {
    dir = await makeTempDir('shoebox-tls-bad-');
    pems = await loopbackCertificate();
    await fs.writeFile(path.join(dir, 'cert.pem'), pems.cert);
    await fs.writeFile(path.join(dir, 'key.pem'), pems.key);
    await fs.writeFile(path.join(dir, 'other-key.pem'), (await loopbackCertificate()).key);
    await fs.writeFile(path.join(dir, 'not-pem.txt'), 'this is not a certificate\n');
  });

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** Builds the app from `env` (relative to the temp dir) and returns what it threw. */
  async function buildError(env: Record<string, string>): Promise<unknown> {
    try {
      const config = loadConfig({ SHOEBOX_DATA_DIR: 'data', LOG_LEVEL: 'silent', ...env }, dir);
      const app = await buildApp(config, { startJobs: false });
      await app.close();
      return null;
    } catch (error) {
      return error;
    }
  }

  it('needs both files or neither', async () => {
    expect(await buildError({ SHOEBOX_TLS_CERT: 'cert.pem' })).toEqual(
      new ConfigError(
        'SHOEBOX_TLS_CERT is set but SHOEBOX_TLS_KEY is not: HTTPS needs both the certificate and its private key (PEM files), or neither for plain HTTP.',
      ),
    );
    expect(await buildError({ SHOEBOX_TLS_KEY: 'key.pem' })).toEqual(
      new ConfigError(
        'SHOEBOX_TLS_KEY is set but SHOEBOX_TLS_CERT is not: HTTPS needs both the certificate and its private key (PEM files), or neither for plain HTTP.',
      ),
    );
  });

  it('names a key file that does not exist', async () => {
    expect(await buildError({ SHOEBOX_TLS_CERT: 'cert.pem', SHOEBOX_TLS_KEY: 'missing.pem' })).toEqual(
      new ConfigError(
        `SHOEBOX_TLS_KEY is ${path.join(dir, 'missing.pem')}, which cannot be read: there is no such file.`,
      ),
    );
  });

  it('refuses a key that does not belong to the certificate, and a file that is not PEM', async () => {
    const mismatch = await buildError({ SHOEBOX_TLS_CERT: 'cert.pem', SHOEBOX_TLS_KEY: 'other-key.pem' });
    expect(mismatch).toBeInstanceOf(ConfigError);
    expect((mismatch as Error).message).toMatch(
      /^SHOEBOX_TLS_CERT \(.*cert\.pem\) and SHOEBOX_TLS_KEY \(.*other-key\.pem\) are not a PEM certificate and its private key \(.+\)\.$/,
    );
    const garbage = await buildError({ SHOEBOX_TLS_CERT: 'not-pem.txt', SHOEBOX_TLS_KEY: 'key.pem' });
    expect(garbage).toBeInstanceOf(ConfigError);
  });
});
