/**
 * Issue 18, the abuse suite's malformed tus requests, generated from a seeded random source (the
 * same ones every run) as a member holding a valid session, and what must hold after them: no
 * 5xx, no crash, nothing stored, another user's upload untouched. Run against the in-process
 * server on both dialects (tus.test.ts) and against two processes (processes.test.ts).
 */
import { expect } from 'vitest';
import type { Asset } from '../../src/shared/api';
import { TUS_ENDPOINT } from '../../src/shared/tus';
import { api, bodyOf, encodeMetadata, readCorpusFile, sha256Hex, type Account } from '../support/client';
import { record, tally } from '../support/probe-table';

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The server, and the accounts and unfinished uploads (1,000 bytes sent) of the probe. */
export interface TusTarget {
  baseUrl: string;
  owner: Account;
  member: Account;
  ownerUpload: string;
  memberUpload: string;
}

/** Creates an upload of `bytes` for `account` with its first `sent` bytes; answers its id. */
async function createPartial(
  baseUrl: string,
  account: Account,
  bytes: Buffer,
  sent: number,
): Promise<string> {
  const created = await fetch(`${baseUrl}${TUS_ENDPOINT}`, {
    method: 'POST',
    headers: {
      cookie: account.auth.cookie,
      origin: baseUrl,
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': encodeMetadata({
        filename: 'x.jpg',
        type: 'image/jpeg',
        sha256: sha256Hex(bytes),
        sourceSha256: sha256Hex(bytes),
      }),
      'content-type': 'application/offset+octet-stream',
    },
    body: bodyOf(bytes.subarray(0, sent)),
  });
  const location = created.headers.get('location');
  if (location === null) throw new Error(`Creating a partial upload failed: ${created.status}`);
  return location.split('/').pop() ?? '';
}

/** An unfinished upload of 1,000 bytes for each of the owner and the member. */
export async function tusTarget(baseUrl: string, owner: Account, member: Account): Promise<TusTarget> {
  const bytes = await readCorpusFile('Canon_40D.jpg');
  return {
    baseUrl,
    owner,
    member,
    ownerUpload: await createPartial(baseUrl, owner, bytes, 1000),
    memberUpload: await createPartial(baseUrl, member, bytes, 1000),
  };
}

/** Sends `count` generated requests to `target`; answers every status and the 5xx or cut ones. */
async function sendMalformed(
  target: TusTarget,
  count: number,
): Promise<{ statuses: number[]; failures: string[] }> {
  const next = random(18);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const junk = (length: number): Uint8Array<ArrayBuffer> => {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i += 1) bytes[i] = Math.floor(next() * 256);
    return bytes;
  };
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const ids = [
    '',
    `/${target.memberUpload}`,
    `/${target.ownerUpload}`,
    `/${target.memberUpload}x`,
    '/..%2f..%2fshoebox.sqlite',
    '/%2e%2e',
    '/../../etc/passwd',
    `/${'a'.repeat(600)}`,
    '/%00',
    `/${target.memberUpload}.json`,
    '/not-an-id',
  ];
  const values = {
    'tus-resumable': [undefined, '1.0.0', '0.2.2', '', '1.0.0, 1.0.0', 'x'],
    'upload-length': [
      undefined,
      '0',
      '-1',
      '1e3',
      '9'.repeat(30),
      'NaN',
      '100',
      ' 5',
      '18446744073709551616',
    ],
    'upload-offset': [undefined, '0', '1000', '-5', '999999999999', 'abc', '1000, 0', '1.5'],
    'upload-defer-length': [undefined, '1', '0', 'yes'],
    'upload-metadata': [
      undefined,
      '',
      'filename',
      `filename ${b64('a.jpg')},filename ${b64('b.jpg')}`,
      'filename !!!notbase64',
      `filename ${b64('x'.repeat(5000))}`,
      `type ${b64('image/jpeg')},sha256 ${b64('zz')}`,
      `filename ${b64('a\u0000b.jpg')},type ${b64('text/html')}`,
      ' , , ',
      `filename ${b64('<script>alert(1)</script>.jpg')},type ${b64('image/jpeg')}`,
    ],
    'upload-concat': [undefined, 'partial', 'final;/api/uploads/a /api/uploads/b', 'final;'],
    'upload-checksum': [undefined, 'sha1 AAAA', 'md5 xyz', 'sha256', 'sha1 !!!'],
    'content-type': [undefined, 'application/offset+octet-stream', 'text/plain', 'application/json', ''],
    'x-http-method-override': [undefined, 'DELETE', 'PATCH', 'GET', 'TRACE'],
  } satisfies Record<string, (string | undefined)[]>;
  const methods = ['POST', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS', 'GET', 'PUT'];

  const statuses: number[] = [];
  const failures: string[] = [];
  for (let n = 0; n < count; n += 1) {
    const method = pick(methods);
    const headers: Record<string, string> = { cookie: target.member.auth.cookie, origin: target.baseUrl };
    for (const [name, options] of Object.entries(values)) {
      const value = pick(options);
      if (value !== undefined) headers[name] = value;
    }
    const withBody = method === 'POST' || method === 'PATCH' || method === 'PUT';
    const body = withBody && next() < 0.7 ? junk(Math.floor(next() * 4096)) : undefined;
    const id = pick(ids);
    let status = 0;
    try {
      const response = await fetch(`${target.baseUrl}${TUS_ENDPOINT}${id}`, { method, headers, body });
      status = response.status;
      if (method !== 'HEAD') await response.arrayBuffer();
    } catch {
      status = 0;
    }
    statuses.push(status);
    // 201 and 204 are the protocol's own answers to a request that happens to be well formed.
    if (status === 0 || status >= 500)
      failures.push(`${method} ${id} ${JSON.stringify(headers)} → ${status}`);
  }

  return { statuses, failures };
}

/**
 * Sends `count` malformed requests, then checks that none answered 5xx or cut the connection,
 * nothing was stored and the owner's upload is as it was; records the row `area` of the table.
 */
export async function probeMalformedTus(target: TusTarget, count: number, area: string): Promise<void> {
  const { baseUrl, owner, member, ownerUpload } = target;
  const { statuses, failures } = await sendMalformed(target, count);
  const library = await api<{ items: Asset[] }>(baseUrl, 'GET', '/api/assets', { auth: member.auth });
  const owners = await api<{ items: Asset[] }>(baseUrl, 'GET', '/api/assets', { auth: owner.auth });
  const head = await fetch(`${baseUrl}${TUS_ENDPOINT}/${ownerUpload}`, {
    method: 'HEAD',
    headers: { cookie: owner.auth.cookie, 'tus-resumable': '1.0.0' },
  });
  const health = await api(baseUrl, 'GET', '/api/health');
  const ownerIntact = head.headers.get('upload-offset') === '1000';
  record({
    area,
    did: `${count} generated requests (7 methods, 11 ids, 9 headers with bad values, junk bodies)`,
    saw: `${tally(statuses.map((status) => String(status)).sort())}; stored ${library.body.items.length + owners.body.items.length}; owner's upload intact: ${String(ownerIntact)}; up: ${health.status}`,
    ok:
      failures.length === 0 &&
      library.body.items.length === 0 &&
      owners.body.items.length === 0 &&
      ownerIntact &&
      health.status === 200,
  });
  expect(failures.slice(0, 10)).toEqual([]);
  expect(library.body.items).toEqual([]);
  expect(owners.body.items).toEqual([]);
  expect(ownerIntact).toBe(true);
  expect(health.status).toBe(200);
}
