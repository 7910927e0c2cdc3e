import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { SNIFF_BYTES } from '../../shared/sniff';

/**
 * SHA-256 (hex) of a file and its first bytes for sniffing, in one streaming pass. Node's
 * (OpenSSL's) SHA-256 uses the CPU's SHA instructions: several times hash-wasm's speed.
 */
export async function hashFile(filePath: string): Promise<{ sha256: string; head: Uint8Array }> {
  const hasher = createHash('sha256');
  const head = new Uint8Array(SNIFF_BYTES);
  let headLength = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1024 * 1024 })) {
    const bytes = chunk as Buffer;
    if (headLength < SNIFF_BYTES) {
      const take = bytes.subarray(0, SNIFF_BYTES - headLength);
      head.set(take, headLength);
      headLength += take.length;
    }
    hasher.update(bytes);
  }
  return { sha256: hasher.digest('hex'), head: head.subarray(0, headLength) };
}
