/**
 * Issue 18, the abuse suite over every route: each kind of bad credential on every guarded route,
 * another user's ids on every id route, and requests from another origin on every route that
 * changes something. Nothing may answer 2xx, 5xx, or change what belongs to someone else.
 */
import type { RouteOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, CreatedToken } from '../../src/shared/api';
import { TUS_ENDPOINT } from '../../src/shared/tus';
import {
  api,
  bodyOf,
  createApiToken,
  createMember,
  createOwner,
  encodeMetadata,
  readCorpusFile,
  sha256Hex,
  startServer,
  uploadCorpusFile,
  type Account,
  type TestServer,
} from '../server/helpers';
import { record, tally } from '../support/probe-table';

interface Route {
  method: string;
  url: string;
  /** The route as it was added; other onRoute hooks may still mark it public after ours. */
  options: RouteOptions;
}

/** Marked `config: { public: true }`: answers without credentials, on purpose. */
const isPublic = (route: Route): boolean => route.options.config?.public === true;

let clock = new Date('2030-01-01T00:00:00Z');
let server: TestServer;
let owner: Account;
let member: Account;
const routes: Route[] = [];
/** The owner's things, which the member must not reach. */
const owned = { assetId: '', tokenId: '', uploadId: '', token: '' };

async function send(
  route: Route,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; code: string | null; headers: Headers }> {
  const response = await fetch(`${server.baseUrl}${url}`, {
    method: route.method,
    headers: { 'tus-resumable': '1.0.0', ...headers },
  });
  const text = route.method === 'HEAD' ? '' : await response.text();
  let code: string | null = null;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    code = null;
  }
  return { status: response.status, code, headers: response.headers };
}

const guarded = (): Route[] => routes.filter((route) => route.url.startsWith('/api/') && !isPublic(route));

beforeAll(async () => {
  server = await startServer({
    app: {
      now: () => clock,
      onRoute: (route: RouteOptions) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        for (const method of methods) routes.push({ method, url: route.url, options: route });
      },
    },
  });
  owner = await createOwner(server.baseUrl);
  member = await createMember(server.baseUrl, owner);
  const uploaded = await uploadCorpusFile(server.baseUrl, owner.auth, 'Canon_40D.jpg');
  if (!uploaded.ok) throw new Error('The owner’s upload failed.');
  owned.assetId = uploaded.assetId;
  const token: CreatedToken = await createApiToken(server.baseUrl, owner.auth, 'owner script');
  owned.tokenId = token.id;
  owned.token = token.token;
  // An unfinished upload of the owner's: 10 bytes of 100 sent.
  const bytes = await readCorpusFile('DSCN0010.jpg');
  const created = await fetch(`${server.baseUrl}${TUS_ENDPOINT}`, {
    method: 'POST',
    headers: {
      cookie: owner.auth.cookie,
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': encodeMetadata({
        filename: 'DSCN0010.jpg',
        type: 'image/jpeg',
        sha256: sha256Hex(bytes),
        sourceSha256: sha256Hex(bytes),
      }),
      'content-type': 'application/offset+octet-stream',
    },
    body: bodyOf(bytes.subarray(0, 10)),
  });
  owned.uploadId = (created.headers.get('location') ?? '').split('/').pop() ?? '';
  if (owned.uploadId === '') throw new Error('The owner’s partial upload was not created.');
});

afterAll(async () => {
  await server.close();
});

describe('every guarded route × every kind of bad credential', () => {
  it('answers 401 to each, and nothing else', async () => {
    const expired = await api<CreatedToken>(server.baseUrl, 'POST', '/api/tokens', {
      auth: owner.auth,
      body: { name: 'expiring', expiresAt: '2030-01-02T00:00:00Z' },
    });
    const revoked = await createApiToken(server.baseUrl, owner.auth, 'revoked');
    await api(server.baseUrl, 'DELETE', `/api/tokens/${revoked.id}`, { auth: owner.auth });
    const signedOut = await createMember(server.baseUrl, owner, 'leaver@example.com');
    await api(server.baseUrl, 'POST', '/api/auth/logout', {
      auth: signedOut.auth,
      headers: { origin: server.baseUrl },
    });
    clock = new Date('2030-01-03T00:00:00Z');
    const credentials: Record<string, Record<string, string>> = {
      none: {},
      'forged cookie': { cookie: 'shoebox_session=forged' },
      'empty cookie': { cookie: 'shoebox_session=' },
      'signed-out session': { cookie: signedOut.auth.cookie },
      'forged token': { authorization: 'Bearer sbx_forged' },
      'expired token': { authorization: `Bearer ${expired.body.token}` },
      'revoked token': { authorization: `Bearer ${revoked.token}` },
      'token without prefix': { authorization: `Bearer ${owned.token.slice(4)}` },
      'Basic auth': {
        authorization: `Basic ${Buffer.from('owner@example.com:owner password').toString('base64')}`,
      },
      'malformed header beside a valid cookie': { authorization: 'Bearer', cookie: owner.auth.cookie },
    };
    const statuses: number[] = [];
    const wrong: string[] = [];
    for (const route of guarded()) {
      const url = route.url.replace(/:[A-Za-z]+/g, () => randomUUID());
      for (const [name, headers] of Object.entries(credentials)) {
        const { status, code } = await send(route, url, { origin: server.baseUrl, ...headers });
        statuses.push(status);
        if (status !== 401 || (route.method !== 'HEAD' && code !== 'UNAUTHENTICATED')) {
          wrong.push(`${name}: ${route.method} ${route.url} → ${status} ${code}`);
        }
      }
    }
    clock = new Date('2030-01-01T00:00:00Z');
    record({
      area: 'bad credentials',
      did: `${guarded().length} routes × ${Object.keys(credentials).length} credentials`,
      saw: tally(statuses),
      ok: wrong.length === 0,
    });
    expect(wrong).toEqual([]);
  });
});

describe("every id route with another user's ids", () => {
  it('finds nothing of the owner’s for the member, and changes nothing', async () => {
    const idRoutes = guarded().filter((route) => /:[A-Za-z]+/.test(route.url));
    expect(idRoutes.length).toBeGreaterThan(5);
    const statuses: number[] = [];
    const wrong: string[] = [];
    for (const route of idRoutes) {
      const url = route.url
        .replace(':uploadId', owned.uploadId)
        .replace(/\/api\/tokens\/:id/, `/api/tokens/${owned.tokenId}`)
        .replace(':id', owned.assetId);
      const { status, code, headers } = await send(route, url, {
        cookie: member.auth.cookie,
        origin: server.baseUrl,
        'upload-offset': '10',
        'content-type': 'application/offset+octet-stream',
      });
      statuses.push(status);
      // tus answers OPTIONS with what the server supports, the same for any id: no upload's state.
      const reveals =
        route.method === 'OPTIONS'
          ? headers.has('upload-offset') || headers.has('upload-length')
          : status >= 200 && status < 300;
      if (reveals || status >= 500) wrong.push(`${route.method} ${url} → ${status} ${code}`);
    }
    // The owner's things are all still there and unchanged.
    const asset = await api<Asset>(server.baseUrl, 'GET', `/api/assets/${owned.assetId}`, {
      auth: owner.auth,
    });
    const token = await api(server.baseUrl, 'GET', '/api/me', { auth: { token: owned.token } });
    const upload = await fetch(`${server.baseUrl}${TUS_ENDPOINT}/${owned.uploadId}`, {
      method: 'HEAD',
      headers: { cookie: owner.auth.cookie, 'tus-resumable': '1.0.0' },
    });
    const intact =
      asset.status === 200 &&
      asset.body.deletedAt === null &&
      token.status === 200 &&
      upload.headers.get('upload-offset') === '10';
    const memberLibrary = await api<{ items: Asset[] }>(server.baseUrl, 'GET', '/api/assets', {
      auth: member.auth,
    });
    record({
      area: 'cross-user ids',
      did: `${idRoutes.length} id routes with the owner's asset, token and upload ids, as a member`,
      saw: `${tally(statuses)}; owner's things intact: ${String(intact)}; member's library: ${memberLibrary.body.items.length}`,
      ok: wrong.length === 0 && intact && memberLibrary.body.items.length === 0,
    });
    expect(wrong).toEqual([]);
    expect(intact).toBe(true);
    expect(memberLibrary.body.items).toEqual([]);
  });
});

describe('Origin and CSRF', () => {
  it('refuses every changing request with the session cookie from another origin', async () => {
    const unsafe = routes.filter(
      (route) => route.url.startsWith('/api/') && !['GET', 'HEAD', 'OPTIONS'].includes(route.method),
    );
    const attacks: Record<string, Record<string, string>> = {
      'another port of the same host': { origin: 'http://127.0.0.1:1' },
      'another site': { origin: 'https://evil.example' },
      'an opaque origin (sandboxed frame, file:)': { origin: 'null' },
      'no Origin, Sec-Fetch-Site same-site': { 'sec-fetch-site': 'same-site' },
      'no Origin, Sec-Fetch-Site cross-site': { 'sec-fetch-site': 'cross-site' },
    };
    const wrong: string[] = [];
    const statuses: number[] = [];
    for (const route of unsafe) {
      const url = route.url.replace(':uploadId', owned.uploadId).replace(':id', owned.assetId);
      for (const [name, headers] of Object.entries(attacks)) {
        const { status, code } = await send(route, url, {
          cookie: owner.auth.cookie,
          'content-type': 'text/plain',
          ...headers,
        });
        statuses.push(status);
        if (status !== 403 || code !== 'CROSS_ORIGIN')
          wrong.push(`${name}: ${route.method} ${route.url} → ${status} ${code}`);
      }
    }
    // The same requests from the app's own origin are not refused as cross-origin.
    const own = await api(server.baseUrl, 'POST', `/api/assets/${owned.assetId}/restore`, {
      auth: owner.auth,
      headers: { origin: server.baseUrl, 'sec-fetch-site': 'same-origin' },
    });
    const me = await api(server.baseUrl, 'GET', '/api/me', { auth: owner.auth });
    record({
      area: 'CSRF',
      did: `${unsafe.length} changing routes × ${Object.keys(attacks).length} foreign origins, owner's cookie`,
      saw: `${tally(statuses)}; same origin: ${own.status}; still signed in: ${String(me.status === 200)}`,
      ok: wrong.length === 0 && own.status === 200 && me.status === 200,
    });
    expect(wrong).toEqual([]);
    expect(own.status).toBe(200);
    expect(me.status).toBe(200);
  });
});
