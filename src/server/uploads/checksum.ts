import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../errors';

/**
 * tus 1.0.0 checksum extension: "The Server MUST support at least the SHA1 checksum algorithm
 * identified by sha1." The list goes to clients in Tus-Checksum-Algorithm.
 */
export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256'] as const;
type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface DeclaredChecksum {
  algorithm: ChecksumAlgorithm;
  digest: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Reads `Upload-Checksum: <algorithm> <Base64 digest>`. "The Server MAY respond with ... 400 Bad
 * Request if the checksum algorithm is not supported by the server."
 */
export function parseUploadChecksum(header: string): DeclaredChecksum {
  const [name = '', encoded = '', ...rest] = header.trim().split(/\s+/);
  const algorithm = CHECKSUM_ALGORITHMS.find((candidate) => candidate === name.toLowerCase());
  if (algorithm === undefined) {
    throw new ApiError(
      'BAD_REQUEST',
      `Upload-Checksum names ${name === '' ? 'no algorithm' : `"${name}"`}; this server checks ${CHECKSUM_ALGORITHMS.join(' and ')}.`,
    );
  }
  if (rest.length > 0 || !BASE64.test(encoded)) {
    throw new ApiError('BAD_REQUEST', 'Upload-Checksum must be an algorithm and a Base64 digest.');
  }
  return { algorithm, digest: Buffer.from(encoded, 'base64') };
}

/** A request body checked against its Upload-Checksum, kept in a scratch file until tus reads it. */
export interface VerifiedBody {
  stream: ReadableStream<Uint8Array>;
  /** Deletes the scratch file. */
  dispose: () => Promise<void>;
}

/**
 * Reads a whole request body into a scratch file in `tmpDir` while hashing it, and hands it on only
 * when it matches: "If the hash does not match, the Server MUST respond with the 460 Checksum
 * Mismatch status ... In all of these cases the chunk MUST be discarded and the Upload-Offset
 * MUST not be updated." tus writes as the bytes arrive, so the bytes wait here, on disk (never in
 * memory: a body may be a whole video) until the digest is known. At most `maxBytes` are taken.
 */
export async function verifyBody(
  raw: IncomingMessage,
  declared: DeclaredChecksum,
  tmpDir: string,
  maxBytes: number,
): Promise<VerifiedBody> {
  const file = path.join(tmpDir, `checksum-${randomUUID()}`);
  const dispose = (): Promise<void> => fs.rm(file, { force: true });
  const hash = createHash(declared.algorithm);
  let bytes = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        callback(new ApiError('TOO_LARGE', 'The upload is larger than this server accepts.'));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(raw, hashing, createWriteStream(file));
  } catch (error) {
    await dispose();
    throw error;
  }
  if (!hash.digest().equals(declared.digest)) {
    await dispose();
    throw new ApiError('CHECKSUM_MISMATCH');
  }
  const stream = Readable.toWeb(createReadStream(file, { highWaterMark: 1024 * 1024 }));
  return { stream: stream as ReadableStream<Uint8Array>, dispose };
}
