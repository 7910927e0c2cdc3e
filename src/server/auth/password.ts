import fastq from 'fastq';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ApiError } from '../errors';
import { assertStrongPassword } from './password-strength';

/** scrypt parameters (RFC 7914). N = 2^15, r = 8 uses 32 MiB and ~50 ms per hash. */
const DEFAULT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Refuse to verify with parameters far beyond ours: a tampered hash must not exhaust memory. */
const MAX_N = 2 ** 20;

interface Derivation {
  password: string;
  salt: Buffer;
  params: { N: number; r: number; p: number };
}

/**
 * scrypt runs on libuv's thread pool (4 threads), which also serves every file read and write:
 * 32 sign-ins at once filled it and a download's p90 went from 17 ms to 9.4 s (issue 18, finding
 * 2). So hashes run one at a time per two cores, at most HASH_QUEUE_MAX wait behind them, and
 * beyond that a sign-in is refused at once instead of piling up.
 */
const HASH_CONCURRENCY = Math.max(1, Math.floor(availableParallelism() / 2));
/** About a second of waiting at ~60 ms a hash. */
export const HASH_QUEUE_MAX = 16;

let hashing: fastq.queueAsPromised<Derivation, Buffer> | undefined;

function scryptOnce({ password, salt, params }: Derivation): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

const busy = (): ApiError =>
  new ApiError('RATE_LIMITED', 'The server is busy signing people in. Try again in a moment.', {
    retryAfterSeconds: 1,
  });

/**
 * Throws RATE_LIMITED when a password hash asked for now would be refused: a sign-in checks it
 * first, so that a flood costs neither a database write nor a hash once the queue is full.
 */
export function assertHashingCapacity(): void {
  if (hashing !== undefined && hashing.length() >= HASH_QUEUE_MAX) throw busy();
}

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  hashing ??= fastq.promise(scryptOnce, HASH_CONCURRENCY);
  if (hashing.length() >= HASH_QUEUE_MAX) return Promise.reject(busy());
  return hashing.push({ password, salt, params });
}

/**
 * `scrypt$N$r$p$<salt base64>$<key base64>`: the parameters travel with the hash. Every new
 * password goes through here, so a weak one is refused here (WEAK_PASSWORD); `userInputs` are the
 * account's email and name, which the password should not lean on.
 */
export async function hashPassword(password: string, userInputs: readonly string[] = []): Promise<string> {
  await assertStrongPassword(password, userInputs);
  return hashUnchecked(password);
}

async function hashUnchecked(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, DEFAULT_PARAMS);
  const { N, r, p } = DEFAULT_PARAMS;
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** False for a wrong password and for a hash this function cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || salt === undefined || key === undefined) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const valid =
    Number.isSafeInteger(params.N) &&
    params.N > 1 &&
    params.N <= MAX_N &&
    (params.N & (params.N - 1)) === 0 &&
    Number.isSafeInteger(params.r) &&
    params.r > 0 &&
    params.r <= 32 &&
    Number.isSafeInteger(params.p) &&
    params.p > 0 &&
    params.p <= 16;
  if (!valid) return false;
  const expected = Buffer.from(key, 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await derive(password, Buffer.from(salt, 'base64'), params);
  return timingSafeEqual(actual, expected);
}

/**
 * A hash of a random password, verified against when the email is unknown so that a login for
 * a missing account takes as long as one with a wrong password.
 */
export function decoyHash(): Promise<string> {
  decoy ??= hashUnchecked(randomBytes(16).toString('hex'));
  return decoy;
}
let decoy: Promise<string> | undefined;
