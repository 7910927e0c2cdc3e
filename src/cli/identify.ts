/**
 * What a file is, by the app's rules (src/shared, src/media): its real type from its first bytes,
 * its pixel size from its headers, the server's limits, and its SHA-256 streamed from disk (the
 * photo's identity for its owner, `sourceSha256`). Nothing over the limits is hashed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { readPhotoDimensions, type ByteReader } from '../media/dimensions';
import {
  EMPTY_FILE_REASON,
  UNKNOWN_TYPE_REASON,
  checkLimits,
  type Limits,
  type LimitCheck,
} from '../shared/limits';
import { SNIFF_BYTES, sniff } from '../shared/sniff';
import type { FileKey, Identity } from './state';

/** Reads of 1 MiB: large enough that a hash is bound by the disk, small enough to stay in cache. */
const READ_BYTES = 1024 * 1024;

function handleReader(handle: FileHandle): ByteReader {
  return async (offset, length) => {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  };
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function sha256OfFile(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(file, {
    highWaterMark: READ_BYTES,
    ...(signal === undefined ? {} : { signal }),
  });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The limits as they apply to a file of this identity and size. */
export function limitsOf(identity: Identity & { kind: 'media' }, size: number, limits: Limits): LimitCheck {
  return checkLimits(limits, {
    mimeType: identity.type,
    bytes: size,
    pixels: identity.pixels ?? undefined,
  });
}

/** Sniffs the file and reads its pixel size; hashes nothing. */
async function sniffFile(file: FileKey): Promise<Identity> {
  if (file.size === 0) return { kind: 'unsupported', reason: EMPTY_FILE_REASON };
  const handle = await open(file.path, 'r');
  try {
    const read = handleReader(handle);
    const sniffed = sniff(await read(0, SNIFF_BYTES));
    if (sniffed === null) return { kind: 'unsupported', reason: UNKNOWN_TYPE_REASON };
    const dimensions =
      sniffed.kind === 'photo' ? await readPhotoDimensions(read, file.size, sniffed.mimeType) : null;
    return {
      kind: 'media',
      type: sniffed.mimeType,
      pixels: dimensions === null ? null : dimensions.width * dimensions.height,
      sha256: null,
    };
  } finally {
    await handle.close();
  }
}

export interface Identified {
  identity: Identity;
  /** Bytes read to hash it this time (0 when its hash was known). */
  hashedBytes: number;
}

/**
 * The file's identity, from what was known of it (`known`, by path, size and mtime) or by reading
 * it: sniffed first, then hashed only if it is a photo or video within the limits.
 */
export async function identify(
  file: FileKey,
  known: Identity | null,
  limits: Limits,
  signal?: AbortSignal,
): Promise<Identified> {
  const identity = known ?? (await sniffFile(file));
  if (identity.kind === 'unsupported' || identity.sha256 !== null) return { identity, hashedBytes: 0 };
  if (!limitsOf(identity, file.size, limits).ok) return { identity, hashedBytes: 0 };
  const sha256 = await sha256OfFile(file.path, signal);
  return { identity: { ...identity, sha256 }, hashedBytes: file.size };
}

const pad = (value: number, width = 2): string => String(Math.trunc(value)).padStart(width, '0');

/**
 * A file's modification time as the wall-clock time of this computer with its offset
 * (`2021-04-11T15:47:53.000+02:00`), sent as `capturedAt`: the server prefers the date inside the
 * file (EXIF, a video's creation time) and uses this only where there is none.
 */
export function localCaptureTime(mtimeMs: number): string {
  const date = new Date(mtimeMs);
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `${sign}${pad(Math.abs(offset) / 60)}:${pad(Math.abs(offset) % 60)}`;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}${zone}`
  );
}
