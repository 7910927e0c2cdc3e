/**
 * The HTTP side of the tests: JSON API calls, accounts, and a small fetch-based tus client that
 * exposes every response. Nothing of the server is imported here, so the suites that start the
 * built server in its own process (tests/e2e/harness.ts) do not load the whole app to talk to it;
 * tests/server/helpers.ts re-exports all of it beside the in-process server.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CreatedToken, User } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { sniff } from '../../src/shared/sniff';
import {
  ASSET_ID_HEADER,
  TUS_ENDPOINT,
  UPLOAD_OUTCOME_HEADER,
  type UploadOutcome,
} from '../../src/shared/tus';
import { CORPUS_DIR } from './corpus';

/** A copy on its own ArrayBuffer: what the DOM typings accept as a fetch body. */
export function bodyOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** How a request proves who it is. */
export type Auth = { cookie: string } | { token: string } | null;

export function authHeaders(auth: Auth): Record<string, string> {
  if (auth === null) return {};
  return 'cookie' in auth ? { cookie: auth.cookie } : { authorization: `Bearer ${auth.token}` };
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON API call; the body is parsed when there is one. */
export async function api<T = unknown>(
  baseUrl: string,
  method: string,
  url: string,
  options: { auth?: Auth; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...authHeaders(options.auth ?? null), ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
  };
}

/** The `shoebox_session=…` pair from a response, for a `cookie` header. */
export function sessionCookie(headers: Headers): string {
  const cookie = headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('shoebox_session='));
  if (cookie === undefined) throw new Error('The response set no session cookie.');
  return cookie;
}

export interface Account {
  user: User;
  email: string;
  password: string;
  auth: { cookie: string };
}

export async function createOwner(
  baseUrl: string,
  input: { email?: string; name?: string; password?: string } = {},
): Promise<Account> {
  const email = input.email ?? 'owner@example.com';
  const password = input.password ?? 'owner password';
  const response = await api<User>(baseUrl, 'POST', '/api/setup', {
    body: { email, name: input.name ?? 'Owner', password },
  });
  if (response.status !== 201)
    throw new Error(`Setup failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { user: response.body, email, password, auth: { cookie: sessionCookie(response.headers) } };
}

export async function login(
  baseUrl: string,
  email: string,
  password: string,
): Promise<ApiResponse<User | ApiErrorBody>> {
  return api<User | ApiErrorBody>(baseUrl, 'POST', '/api/auth/login', { body: { email, password } });
}

/** An account the owner adds, signed in. */
export async function createMember(
  baseUrl: string,
  owner: Account,
  email = 'member@example.com',
): Promise<Account> {
  const password = 'member password';
  const created = await api<User>(baseUrl, 'POST', '/api/users', {
    auth: owner.auth,
    body: { email, name: 'Member', password },
  });
  if (created.status !== 201) throw new Error(`Creating a member failed: ${created.status}`);
  const session = await login(baseUrl, email, password);
  return { user: created.body, email, password, auth: { cookie: sessionCookie(session.headers) } };
}

export async function createApiToken(baseUrl: string, auth: Auth, name = 'script'): Promise<CreatedToken> {
  const response = await api<CreatedToken>(baseUrl, 'POST', '/api/tokens', { auth, body: { name } });
  if (response.status !== 201) throw new Error(`Creating a token failed: ${response.status}`);
  return response.body;
}

/** Upload-Metadata: `key base64(value)` pairs (tus 1.0.0, Creation extension). */
export function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
}

export interface TusUploadInput {
  bytes: Uint8Array;
  filename: string;
  type: string;
  /** Defaults to the SHA-256 of `bytes`. */
  sha256?: string;
  /** Defaults to `sha256`. */
  sourceSha256?: string;
  capturedAt?: string;
  /** The album to put the asset in (issue 16). */
  albumId?: string;
  /** PATCH size; default: everything in one request. */
  chunkSize?: number;
  /** Override Upload-Length (to test limits). */
  uploadLength?: number;
  /** Send the first chunk with the POST that creates the upload (tus creation-with-upload). */
  dataDuringCreation?: boolean;
  /** Upload-Metadata sent as it is, in place of the app's keys (a generic tus client's). */
  metadata?: Record<string, string>;
}

export type TusUploadResult =
  | { ok: true; location: string; assetId: string; outcome: UploadOutcome; patches: number }
  | { ok: false; step: 'create' | 'patch'; status: number; error: ApiErrorBody; location: string | null };

async function errorOf(response: Response): Promise<ApiErrorBody> {
  return (await response.json()) as ApiErrorBody;
}

/**
 * Uploads with the tus protocol by hand (POST, then PATCHes), so that tests see each response.
 * Resolves with the asset the final PATCH reports, or with the first error response.
 */
export async function tusUpload(
  baseUrl: string,
  auth: Auth,
  input: TusUploadInput,
): Promise<TusUploadResult> {
  const sha256 = input.sha256 ?? sha256Hex(input.bytes);
  const metadata: Record<string, string> = {
    filename: input.filename,
    type: input.type,
    sha256,
    sourceSha256: input.sourceSha256 ?? sha256,
  };
  if (input.capturedAt !== undefined) metadata.capturedAt = input.capturedAt;
  if (input.albumId !== undefined) metadata.albumId = input.albumId;
  const sent = input.metadata ?? metadata;
  const chunkSize = input.chunkSize ?? Math.max(input.bytes.byteLength, 1);
  const first = input.dataDuringCreation === true ? input.bytes.subarray(0, chunkSize) : null;
  const created = await fetch(`${baseUrl}${TUS_ENDPOINT}`, {
    method: 'POST',
    headers: {
      ...authHeaders(auth),
      'tus-resumable': '1.0.0',
      'upload-length': String(input.uploadLength ?? input.bytes.byteLength),
      ...(Object.keys(sent).length === 0 ? {} : { 'upload-metadata': encodeMetadata(sent) }),
      ...(first === null ? {} : { 'content-type': 'application/offset+octet-stream' }),
    },
    body: first === null ? null : bodyOf(first),
  });
  const location = created.headers.get('location');
  if (created.status !== 201 || location === null) {
    return { ok: false, step: 'create', status: created.status, error: await errorOf(created), location };
  }
  const finished = (response: Response, patches: number): TusUploadResult => {
    const assetId = response.headers.get(ASSET_ID_HEADER);
    const outcome = response.headers.get(UPLOAD_OUTCOME_HEADER);
    if (assetId === null || (outcome !== 'created' && outcome !== 'duplicate')) {
      throw new Error('The request that completed the upload did not name its asset.');
    }
    return { ok: true, location, assetId, outcome, patches };
  };
  let offset = first === null ? 0 : Number(created.headers.get('upload-offset'));
  if (first !== null && offset >= input.bytes.byteLength) return finished(created, 0);
  let patches = 0;
  for (;;) {
    const chunk = bodyOf(input.bytes.subarray(offset, offset + chunkSize));
    const response = await fetch(new URL(location, baseUrl), {
      method: 'PATCH',
      headers: {
        ...authHeaders(auth),
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      },
      body: chunk,
    });
    patches += 1;
    if (response.status !== 204) {
      return { ok: false, step: 'patch', status: response.status, error: await errorOf(response), location };
    }
    offset = Number(response.headers.get('upload-offset'));
    if (offset >= input.bytes.byteLength) return finished(response, patches);
  }
}

export async function readCorpusFile(filename: string): Promise<Buffer> {
  return fs.readFile(path.join(CORPUS_DIR, filename));
}

/** Uploads a corpus file under its own name and its sniffed type, as the app would. */
export async function uploadCorpusFile(
  baseUrl: string,
  auth: Auth,
  filename: string,
  options: Partial<TusUploadInput> = {},
): Promise<TusUploadResult> {
  const bytes = await readCorpusFile(filename);
  const type = sniff(bytes.subarray(0, 512))?.mimeType ?? 'application/octet-stream';
  return tusUpload(baseUrl, auth, { bytes, filename, type, ...options });
}
