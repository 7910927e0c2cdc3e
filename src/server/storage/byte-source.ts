import { buffer } from 'node:stream/consumers';
import type { ByteSource } from '../imaging';
import type { BlobStore } from './blob-store';

/**
 * Random access to a blob of `size` bytes through ranged reads (imaging's ByteSource), for
 * readers that want a few kilobytes of a large object: never the whole object, in memory or on disk.
 */
export function blobByteSource(store: BlobStore, key: string, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const end = Math.min(size, offset + length) - 1;
      if (offset < 0 || end < offset) return new Uint8Array(0);
      return buffer(await store.createReadStream(key, { start: offset, end }));
    },
  };
}
