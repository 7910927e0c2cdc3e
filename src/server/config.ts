import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { TRASH_RETENTION_DAYS } from '../shared/api';
import { DEFAULT_LIMITS, type Limits } from '../shared/limits';
import type { DatabaseLocation } from './db';
import type { StorageLocation } from './storage/s3';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** `pretty`: one readable line per event; `json`: pino's JSON lines. */
export type LogFormat = 'pretty' | 'json';

export interface Config {
  port: number;
  host: string;
  /** tus uploads in progress and the blob store live here, and the SQLite database by default. */
  dataDir: string;
  /** DATABASE_URL: PostgreSQL, or SQLite in `dataDir` when unset. */
  database: DatabaseLocation;
  /** Originals and thumbnails: the data directory, or the S3-compatible store S3_BUCKET names. */
  storage: StorageLocation;
  /** The built app (vite's dist/). The API works without it. */
  staticDir: string;
  /**
   * fastify's `trustProxy`: honour X-Forwarded-* from this many hops in front, or from these
   * addresses; false: from nobody.
   */
  trustProxy: false | number | string[];
  limits: Limits;
  logLevel: LogLevel;
  /** LOG_FORMAT; null: pretty on a terminal, JSON otherwise. */
  logFormat: LogFormat | null;
  /** Background jobs (thumbnails) run at once; each keeps about one core busy. */
  jobConcurrency: number;
  /** SHOEBOX_ROLE: what this process does (see ServerRole). */
  role: ServerRole;
  /** The largest tus chunk the app may send (SHOEBOX_TUS_MAX_CHUNK_BYTES), served at /api/config. */
  tusMaxChunkBytes: number;
  /** Other sites' origins whose pages may call the API and upload (SHOEBOX_CORS_ORIGINS); none by default. */
  corsOrigins: string[];
  /** Days an asset stays in the trash before it is deleted for good (SHOEBOX_TRASH_DAYS). */
  trashRetentionDays: number;
  /** PEM files to serve HTTPS from (SHOEBOX_TLS_CERT, SHOEBOX_TLS_KEY); null: plain HTTP. */
  tls: TlsFiles | null;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/**
 * 64 MiB: on a fast link a chunk this size takes long enough that the pause between two requests
 * is a small share of it; a reverse proxy with a body limit (nginx's 1 MB default, Cloudflare's
 * 100 MB) needs a lower value.
 */
export const DEFAULT_TUS_MAX_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * `api` serves the app, the API and uploads and queues jobs without running them; `worker` runs
 * the jobs (thumbnails, metadata, purges) and answers only /api/health and /api/config; `all`
 * (the default) does both.
 */
export type ServerRole = 'api' | 'worker' | 'all';
const ROLES: readonly ServerRole[] = ['api', 'worker', 'all'];

function role(raw: string | undefined): ServerRole {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '') return 'all';
  const found = ROLES.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new ConfigError(`SHOEBOX_ROLE must be one of ${ROLES.join(', ')}, not "${raw ?? ''}".`);
  }
  return found;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive whole number, not "${raw}".`);
  }
  return value;
}

function port(env: Env): number {
  const value = positiveInteger(env, 'PORT', 8080);
  if (value > 65_535) throw new ConfigError(`PORT must be at most 65535, not ${value}.`);
  return value;
}

/** Names proxy-addr (fastify's trustProxy) takes for ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: how many proxies stand in front (a hop count), or their addresses. `true` (trust
 * every hop) is refused: the client's address would be the leftmost X-Forwarded-For entry, which
 * the client writes itself, so anyone could pick the address the sign-in throttle counts
 * (issue 18, finding 3).
 */
function trustProxy(raw: string | undefined): false | number | string[] {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) return positiveInteger({ TRUST_PROXY: value }, 'TRUST_PROXY', 1);
  if (value === 'true') {
    throw new ConfigError(
      'TRUST_PROXY=true would let any client choose the address Shoebox sees. Set it to the number of proxies in front of Shoebox (TRUST_PROXY=1 for one reverse proxy) or to their addresses (TRUST_PROXY=127.0.0.1).',
    );
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address = '', bits, ...rest] = entry.split('/');
    const prefix = Number(bits ?? '0');
    const valid =
      PROXY_RANGE_NAMES.includes(entry) ||
      (isIP(address) !== 0 &&
        rest.length === 0 &&
        (bits === undefined || (/^\d+$/.test(bits) && prefix <= (isIP(address) === 4 ? 32 : 128))));
    if (!valid) {
      throw new ConfigError(
        `TRUST_PROXY must be a number of proxies or a list of addresses, ranges (10.0.0.0/8) and ${PROXY_RANGE_NAMES.join(', ')}; "${entry}" is none of these.`,
      );
    }
  }
  return entries;
}

/** `https://photos.example.com, http://localhost:5173`: each an origin exactly as a browser sends it. */
function corsOrigins(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    let origin: string | null = null;
    try {
      origin = new URL(entry).origin;
    } catch {
      origin = null;
    }
    if (origin !== entry) {
      throw new ConfigError(
        `SHOEBOX_CORS_ORIGINS lists "${entry}", which is not an origin: write scheme, host and port only, as in https://photos.example.com.`,
      );
    }
  }
  return entries;
}

function logLevel(raw: string | undefined): LogLevel {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '') return 'info';
  const level = LOG_LEVELS.find((candidate) => candidate === value);
  if (level === undefined) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${raw ?? ''}".`);
  }
  return level;
}

/** The SQLite database's file in the data directory, when DATABASE_URL does not name another. */
export const SQLITE_FILE_NAME = 'shoebox.sqlite';

/** Any credentials in a URL replaced, for messages. */
function withoutPassword(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//…@');
}

function database(env: Env, dataDir: string): DatabaseLocation {
  const raw = env.DATABASE_URL?.trim() ?? '';
  if (raw === '') return { dialect: 'sqlite', file: path.join(dataDir, SQLITE_FILE_NAME) };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/shoebox, not "${withoutPassword(raw)}".`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must start with postgres:// (PostgreSQL); leave it unset for SQLite in the data directory. It starts with ${url.protocol}//.`,
    );
  }
  return { dialect: 'postgres', url: raw };
}

const S3_SETTINGS = [
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
] as const;

/**
 * S3_BUCKET switches originals and thumbnails to an S3-compatible store (AWS S3, MinIO, Ceph, R2);
 * without it they stay in the data directory. Without S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY
 * the AWS SDK finds credentials itself (AWS_* variables, an instance role).
 */
function storage(env: Env): StorageLocation {
  const value = (name: (typeof S3_SETTINGS)[number]): string => env[name]?.trim() ?? '';
  const bucket = value('S3_BUCKET');
  if (bucket === '') {
    const stray = S3_SETTINGS.find((name) => value(name) !== '');
    if (stray !== undefined) {
      throw new ConfigError(
        `${stray} is set but S3_BUCKET is not: name the bucket to store photos in, or leave every S3_ setting unset to store them in the data directory.`,
      );
    }
    return { kind: 'filesystem' };
  }
  const endpoint = value('S3_ENDPOINT');
  if (endpoint !== '' && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw new ConfigError(
      `S3_ENDPOINT must be a URL such as https://s3.example.com or http://127.0.0.1:9000, not "${endpoint}".`,
    );
  }
  const accessKeyId = value('S3_ACCESS_KEY_ID');
  const secretAccessKey = value('S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === '') !== (secretAccessKey === '')) {
    const [given, missing] =
      accessKeyId === ''
        ? ['S3_SECRET_ACCESS_KEY', 'S3_ACCESS_KEY_ID']
        : ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'];
    throw new ConfigError(
      `${given} is set but ${missing} is not: give both, or neither to use the AWS SDK's own credentials.`,
    );
  }
  const pathStyle = value('S3_FORCE_PATH_STYLE').toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(pathStyle)) {
    throw new ConfigError(`S3_FORCE_PATH_STYLE must be true or false, not "${pathStyle}".`);
  }
  return {
    kind: 's3',
    endpoint: endpoint === '' ? null : endpoint,
    bucket,
    region: value('S3_REGION') || 'us-east-1',
    credentials: accessKeyId === '' ? null : { accessKeyId, secretAccessKey },
    forcePathStyle: pathStyle === 'true' || pathStyle === '1',
  };
}

function logFormat(raw: string | undefined): LogFormat | null {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '') return null;
  if (value === 'pretty' || value === 'json') return value;
  throw new ConfigError(`LOG_FORMAT must be pretty or json, not "${raw ?? ''}".`);
}

function tlsFiles(env: Env, cwd: string): TlsFiles | null {
  const cert = env.SHOEBOX_TLS_CERT?.trim() ?? '';
  const key = env.SHOEBOX_TLS_KEY?.trim() ?? '';
  if (cert === '' && key === '') return null;
  if (cert === '' || key === '') {
    const [given, missing] =
      cert === '' ? ['SHOEBOX_TLS_KEY', 'SHOEBOX_TLS_CERT'] : ['SHOEBOX_TLS_CERT', 'SHOEBOX_TLS_KEY'];
    throw new ConfigError(
      `${given} is set but ${missing} is not: HTTPS needs both the certificate and its private key (PEM files), or neither for plain HTTP.`,
    );
  }
  return { certFile: path.resolve(cwd, cert), keyFile: path.resolve(cwd, key) };
}

async function readPem(name: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'there is no such file'
        : code === 'EACCES'
          ? 'permission is denied'
          : String(code ?? error);
    throw new ConfigError(`${name} is ${file}, which cannot be read: ${why}.`);
  }
}

/**
 * Reads the certificate and key named by the configuration, and checks that they are PEM and
 * belong together, so that a wrong file stops the server at start with a sentence rather than
 * failing every handshake later.
 */
export async function readTls(files: TlsFiles): Promise<{ cert: Buffer; key: Buffer }> {
  const cert = await readPem('SHOEBOX_TLS_CERT', files.certFile);
  const key = await readPem('SHOEBOX_TLS_KEY', files.keyFile);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `SHOEBOX_TLS_CERT (${files.certFile}) and SHOEBOX_TLS_KEY (${files.keyFile}) are not a PEM certificate and its private key (${reason}).`,
    );
  }
  return { cert, key };
}

/**
 * Reads the configuration from environment variables. Pure: relative paths are resolved against
 * `cwd`, nothing is read from disk (`readTls` reads the TLS files when the server is built). Throws a `ConfigError` with a sentence for a bad value.
 */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  const dir = (name: string, fallback: string): string => path.resolve(cwd, env[name]?.trim() || fallback);
  const dataDir = dir('SHOEBOX_DATA_DIR', 'data');
  return {
    port: port(env),
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir,
    database: database(env, dataDir),
    storage: storage(env),
    staticDir: dir('SHOEBOX_STATIC_DIR', 'dist'),
    trustProxy: trustProxy(env.TRUST_PROXY),
    limits: {
      maxPhotoBytes: positiveInteger(env, 'SHOEBOX_MAX_PHOTO_BYTES', DEFAULT_LIMITS.maxPhotoBytes),
      maxPhotoPixels: positiveInteger(env, 'SHOEBOX_MAX_PHOTO_PIXELS', DEFAULT_LIMITS.maxPhotoPixels),
      maxVideoBytes: positiveInteger(env, 'SHOEBOX_MAX_VIDEO_BYTES', DEFAULT_LIMITS.maxVideoBytes),
    },
    logLevel: logLevel(env.LOG_LEVEL),
    logFormat: logFormat(env.LOG_FORMAT),
    jobConcurrency: positiveInteger(env, 'SHOEBOX_JOB_CONCURRENCY', 1),
    role: role(env.SHOEBOX_ROLE),
    tusMaxChunkBytes: positiveInteger(env, 'SHOEBOX_TUS_MAX_CHUNK_BYTES', DEFAULT_TUS_MAX_CHUNK_BYTES),
    corsOrigins: corsOrigins(env.SHOEBOX_CORS_ORIGINS),
    trashRetentionDays: positiveInteger(env, 'SHOEBOX_TRASH_DAYS', TRASH_RETENTION_DAYS),
    tls: tlsFiles(env, cwd),
  };
}
