import { describe, expect, it } from 'vitest';
import { sha256OfBlob } from './hash';

async function reference(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('sha256OfBlob', () => {
  it('hashes the empty blob', async () => {
    expect(await sha256OfBlob(new Blob([]))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('matches SubtleCrypto on a blob streamed in many chunks, reporting progress', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 31) % 251);
    const blob = new Blob([bytes]);
    const progress: number[] = [];
    const hash = await sha256OfBlob(blob, { onProgress: (n) => progress.push(n), chunkBytes: 1024 * 1024 });
    expect(hash).toBe(await reference(blob));
    expect(progress).toEqual([1, 2, 3].map((n) => n * 1024 * 1024).concat(bytes.byteLength));
    expect(progress.at(-1)).toBe(bytes.byteLength);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sha256OfBlob(new Blob(['x']), { signal: controller.signal })).rejects.toThrow();
  });
});
