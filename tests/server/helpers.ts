/**
 * Helpers for server tests: a real app (its own database, blob store) in a fresh temp dir
 * listening on a random port, accounts, and a small fetch-based tus client that exposes every
 * response. The database is SQLite in the temp dir, or a throwaway PostgreSQL database in the
 * vitest project that runs the suites on PostgreSQL (SHOEBOX_TEST_DIALECT, vitest.config.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { CreatedToken, User } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import {
  ASSET_ID_HEADER,
  TUS_ENDPOINT,
  UPLOAD_OUTCOME_HEADER,
  type UploadOutcome,
} from '../../src/shared/tus';
import { buildApp, type AppOptions } from '../../src/server/app';
import { loadConfig, type Config, type Env } from '../../src/server/config';
import {
  connectDatabase,
  openDatabase,
  type DatabaseHandle,
  type DatabaseLocation,
} from '../../src/server/db';
import { dropTestDatabase, ensureTestDatabase, projectDialect } from '../../src/server/db/testing';
import { sniff } from '../../src/shared/sniff';
import { CORPUS_DIR } from '../support/corpus';

export { CORPUS_DIR, REPO_ROOT, corpusFile, manifest, type ManifestRow } from '../support/corpus';

/** The dialect this project's server suites run on. */
export const DIALECT = projectDialect();

export async function makeTempDir(prefix = 'shoebox-server-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A copy on its own ArrayBuffer: what the DOM typings accept as a fetch body. */
export function bodyOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file under `dir` (relative paths), or [] when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export interface TestServer {
  app: FastifyInstance;
  config: Config;
  baseUrl: string;
  dataDir: string;
  /** Stops the server and deletes its data. */
  close: () => Promise<void>;
  /** Stops the server and keeps its data, for another `startServer({ dataDir })`. */
  stop: () => Promise<void>;
}

export interface StartOptions {
  /** Extra environment, as `loadConfig` reads it (limits, static dir…). */
  env?: Env;
  app?: AppOptions;
  /** Start on the data (files and database) of a stopped server instead of a new temp dir. */
  dataDir?: string;
}

/** The environment that points a server at the test database of `dataDir`. */
function databaseEnv(location: DatabaseLocation): Env {
  return location.dialect === 'postgres' ? { DATABASE_URL: location.url } : {};
}

/**
 * The real app on 127.0.0.1 and a random port, with its data in a new temp dir and its database
 * on this project's dialect. Without SHOEBOX_STATIC_DIR in `env` there is no built app: API only.
 * Set SHOEBOX_TEST_LOG_LEVEL to see logs.
 */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeTempDir());
  const location = await ensureTestDatabase(DIALECT, dataDir);
  const config = loadConfig({
    SHOEBOX_DATA_DIR: dataDir,
    SHOEBOX_STATIC_DIR: path.join(dataDir, 'no-app'),
    LOG_LEVEL: process.env.SHOEBOX_TEST_LOG_LEVEL ?? 'silent',
    ...databaseEnv(location),
    ...options.env,
  });
  const app = await buildApp(config, options.app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('The server is not on a TCP port.');
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${address.port}`,
    dataDir,
    close: async () => {
      await app.close();
      await dropTestDatabase(DIALECT, dataDir);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
    stop: async () => {
      await app.close();
    },
  };
}

/**
 * The database of a test server's data, running or stopped (a second connection beside the
 * server's), migrated unless `migrate` is false. Destroy it when done.
 */
export async function openServerDatabase(
  dataDir: string,
  options: { migrate?: boolean } = {},
): Promise<DatabaseHandle> {
  const location = await ensureTestDatabase(DIALECT, dataDir);
  return options.migrate === false ? connectDatabase(location) : openDatabase(location);
}

/** Runs `task` on the database of a test server's data, then closes it. */
export async function withServerDatabase<T>(
  dataDir: string,
  task: (db: DatabaseHandle['db']) => Promise<T>,
): Promise<T> {
  const { db } = await openServerDatabase(dataDir);
  try {
    return await task(db);
  } finally {
    await db.destroy();
  }
}

/** Resolves once the server's background jobs (thumbnails) have nothing left to do now. */
export async function jobsIdle(server: TestServer): Promise<void> {
  await server.app.jobs.idle();
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
