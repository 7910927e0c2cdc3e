import { createSHA256 } from 'hash-wasm';

/** Bytes read per step: large enough for hash-wasm's speed, small enough to bound memory. */
export const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

export interface HashOptions {
  signal?: AbortSignal | undefined;
  /** Called with the number of bytes hashed so far, after each chunk. */
  onProgress?: ((bytesHashed: number) => void) | undefined;
  chunkBytes?: number;
}

/**
 * SHA-256 (lower-case hex) of a Blob, read slice by slice: at most one chunk of the file is in
 * memory at a time, so a 10 GB video hashes in constant memory. (Blob.stream() chunk sizes are
 * up to the browser; explicit slices bound them.) hash-wasm rather than `crypto.subtle.digest`
 * because SubtleCrypto has no incremental digest and would need the whole file as one buffer.
 */
export async function sha256OfBlob(blob: Blob, options: HashOptions = {}): Promise<string> {
  const { signal, onProgress, chunkBytes = HASH_CHUNK_BYTES } = options;
  signal?.throwIfAborted();
  const hasher = await createSHA256();
  hasher.init();
  for (let offset = 0; offset < blob.size; offset += chunkBytes) {
    const chunk = new Uint8Array(await blob.slice(offset, offset + chunkBytes).arrayBuffer());
    signal?.throwIfAborted();
    hasher.update(chunk);
    onProgress?.(Math.min(blob.size, offset + chunkBytes));
  }
  return hasher.digest('hex');
}
