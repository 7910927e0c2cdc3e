/** The range a tus upload's chunk size moves in: it starts at `min`. */
export interface ChunkSizes {
  min: number;
  max: number;
}

/**
 * How long one chunk should take, in ms. fetch reports no upload progress
 * (https://github.com/whatwg/fetch/issues/607), so the bar moves once per chunk: about once a
 * second at any speed, and never a chunk so long that a `sync` event's time budget runs out in
 * the middle of one at the speed just seen.
 */
export const CHUNK_TARGET_MS = 1000;

/**
 * The size of the next chunk after a whole chunk of `size` bytes took `ms`: doubled while chunks
 * take under half the target, halved when one takes over twice the target, within `sizes`. Each
 * request costs a round trip and the server's per-request work, which at 8 MiB on a fast link is
 * a fifth of the time; large chunks only on a link that sends them in about a second keep the
 * progress and the time budget as they were on a slow one.
 */
export function nextChunkSize(size: number, ms: number, sizes: ChunkSizes): number {
  if (ms < CHUNK_TARGET_MS / 2) return Math.min(size * 2, sizes.max);
  if (ms > CHUNK_TARGET_MS * 2) return Math.max(Math.floor(size / 2), sizes.min);
  return Math.min(Math.max(size, sizes.min), sizes.max);
}
