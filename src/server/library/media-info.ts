import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SNIFF_BYTES } from '../../shared/sniff';

/** A file's or stream's SHA-256 (hex) and its first bytes, for sniffing. */
export interface HashedBytes {
  sha256: string;
  head: Uint8Array;
}

/**
 * SHA-256 of a stream and its first bytes, in one pass; with `copyTo`, the bytes are also written
 * to that file, complete when this resolves (for readers that need a file: sharp, exifr). Node's
 * (OpenSSL's) SHA-256 uses the CPU's SHA instructions: several times hash-wasm's speed.
 */
export async function hashStream(source: Readable, copyTo: string | null = null): Promise<HashedBytes> {
  const hasher = createHash('sha256');
  const head = new Uint8Array(SNIFF_BYTES);
  let headLength = 0;
  const see = (bytes: Buffer): void => {
    if (headLength < SNIFF_BYTES) {
      const take = bytes.subarray(0, SNIFF_BYTES - headLength);
      head.set(take, headLength);
      headLength += take.length;
    }
    hasher.update(bytes);
  };
  if (copyTo === null) {
    await pipeline(
      source,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          see(chunk);
          done();
        },
      }),
    );
  } else {
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        see(chunk);
        done(null, chunk);
      },
    });
    await pipeline(source, tap, createWriteStream(copyTo));
  }
  return { sha256: hasher.digest('hex'), head: head.subarray(0, headLength) };
}

/** SHA-256 (hex) of a file and its first bytes for sniffing, in one streaming pass. */
export function hashFile(filePath: string): Promise<HashedBytes> {
  return hashStream(createReadStream(filePath, { highWaterMark: 1024 * 1024 }));
}
