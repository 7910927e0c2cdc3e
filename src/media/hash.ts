import { createSHA256 } from 'hash-wasm';

/**
 * Bytes read per step. Reading a Blob is the slow part in Chromium (its bytes live in the browser
 * process and come over IPC: about 60 MB/s in 1 MiB slices, 80 in 16 MiB, against 200+ MB/s for
 * hashing; see bench/prepare.ts), so slices are large and the next one is read while this one is
 * hashed. Two slices in memory at most.
 */
export const HASH_CHUNK_BYTES = 8 * 1024 * 1024;

export interface HashOptions {
  signal?: AbortSignal | undefined;
  /** Called with the number of bytes hashed so far, after each chunk. */
  onProgress?: ((bytesHashed: number) => void) | undefined;
  chunkBytes?: number;
}

/**
 * SHA-256 (lower-case hex) of a Blob, read slice by slice: at most two chunks of the file are in
 * memory at a time, so a 10 GB video hashes in constant memory. (Blob.stream() chunk sizes are
 * up to the browser; explicit slices bound them.) hash-wasm rather than `crypto.subtle.digest`
 * because SubtleCrypto has no incremental digest and would need the whole file as one buffer.
 */
export async function sha256OfBlob(blob: Blob, options: HashOptions = {}): Promise<string> {
  const { signal, onProgress, chunkBytes = HASH_CHUNK_BYTES } = options;
  signal?.throwIfAborted();
  const hasher = await createSHA256();
  hasher.init();
  const readAt = (offset: number): Promise<ArrayBuffer> =>
    blob.slice(offset, offset + chunkBytes).arrayBuffer();
  let next = blob.size > 0 ? readAt(0) : null;
  for (let offset = 0; next !== null; offset += chunkBytes) {
    const chunk = new Uint8Array(await next);
    signal?.throwIfAborted();
    next = offset + chunkBytes < blob.size ? readAt(offset + chunkBytes) : null;
    hasher.update(chunk);
    onProgress?.(Math.min(blob.size, offset + chunkBytes));
  }
  return hasher.digest('hex');
}
