/**
 * The shooting place of stored videos, found once per stored file: what a public link that hides
 * the place overwrites in the bytes it serves (imaging/video-redact.ts).
 */
import { buffer } from 'node:stream/consumers';
import type { ByteSource } from '../imaging/bytes';
import { locationPatches, type Patch } from '../imaging/video-redact';
import type { BlobStore } from '../storage/blob-store';

/** The ISO BMFF types whose place video-redact.ts finds; WebM carries none that video.ts reads. */
const BMFF_VIDEO = new Set(['video/mp4', 'video/quicktime', 'video/3gpp', 'video/3gpp2']);

/** Stored files never change (their key is their hash), so what was found stays true. */
const CACHE_SIZE = 256;
const cache = new Map<string, Promise<Patch[]>>();

function blobSource(store: BlobStore, key: string, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const end = Math.min(offset + length, size) - 1;
      if (end < offset) return new Uint8Array(0);
      return buffer(await store.createReadStream(key, { start: offset, end }));
    },
  };
}

/** The patches that take the place out of the video stored under `blobKey`; [] when there is none to take out. */
export function placePatches(
  store: BlobStore,
  asset: { blob_key: string; mime_type: string },
  size: number,
): Promise<Patch[]> {
  if (!BMFF_VIDEO.has(asset.mime_type)) return Promise.resolve([]);
  const cached = cache.get(asset.blob_key);
  if (cached !== undefined) return cached;
  const found = locationPatches(blobSource(store, asset.blob_key, size));
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(asset.blob_key, found);
  // A failed read is not remembered: the next request tries again.
  void found.catch(() => cache.delete(asset.blob_key));
  return found;
}
