/**
 * Where a video says where it was shot, so that a public link that hides the place can serve the
 * video without it. The places are the ones video.ts reads: QuickTime '©xyz' and 3GPP 'loci' in
 * moov/udta, and Apple's 'com.apple.quicktime.location.*' items in moov/meta (or udta/meta).
 *
 * Each such box is turned into a 'free' box of the same size with its payload zeroed (ISO/IEC
 * 14496-12 §8.1.2: "The contents of a free-space box are irrelevant and may be ignored"), so the
 * file keeps its length and every offset in it (sample tables, HTTP ranges) stays true, and a
 * player or parser skips what is left.
 */
import { childBoxes, childBoxesOf, findBox, type Box } from './bmff';
import { Reader, type ByteSource } from './bytes';

/** A stretch of the file to overwrite: `bytes` at `offset`. */
export interface Patch {
  offset: number;
  bytes: Uint8Array;
}

/** As in video.ts: moov holds the sample tables too; only udta and meta are read, and those are small. */
const MAX_METADATA_BOX_BYTES = 4 * 1024 * 1024;

const FREE = new TextEncoder().encode('free');

/** The box made a zeroed 'free' box: its type, then its payload. */
function freeBox(box: Box): Patch[] {
  return [
    { offset: box.start + 4, bytes: FREE },
    { offset: box.payload, bytes: new Uint8Array(box.end - box.payload) },
  ];
}

/** The patches that take the shooting place out of an MP4, MOV or 3GP file; [] when it has none. */
export async function locationPatches(source: ByteSource): Promise<Patch[]> {
  const top = await childBoxesOf(source, 0, source.size);
  const moov = findBox(top.boxes, 'moov');
  if (moov === undefined) return [];
  const children = await childBoxesOf(source, moov.payload, moov.end);
  const patches: Patch[] = [];
  for (const box of children.boxes) {
    if ((box.type !== 'udta' && box.type !== 'meta') || box.end - box.start > MAX_METADATA_BOX_BYTES)
      continue;
    const bytes = await source.read(box.start, box.end - box.start);
    const found = box.type === 'udta' ? inUdta(bytes) : inMeta(bytes);
    // Offsets in `bytes` are relative to the box: shift them to the file.
    for (const inner of found)
      patches.push(
        ...freeBox({
          ...inner,
          start: inner.start + box.start,
          payload: inner.payload + box.start,
          end: inner.end + box.start,
        }),
      );
  }
  return patches;
}

function inUdta(bytes: Uint8Array): Box[] {
  const found: Box[] = [];
  for (const box of childBoxes(bytes, 8).boxes) {
    if (box.type === '©xyz' || box.type === 'loci') found.push(box);
    else if (box.type === 'meta') found.push(...inMeta(bytes.subarray(0, box.end), box.start));
  }
  return found;
}

/** Apple's metadata (keys + ilst): the items whose key names a location. `at`: where the meta box starts in `bytes`. */
function inMeta(bytes: Uint8Array, at = 0): Box[] {
  const reader = new Reader(bytes);
  // QuickTime's meta is a plain box; ISO's is a FullBox (4 bytes of version and flags first).
  const fullBox = reader.u32(at + 8) === 0;
  const end = at + (reader.u32(at) ?? 0);
  if (end <= at || end > bytes.length) return [];
  const children = childBoxes(bytes, at + (fullBox ? 12 : 8), end).boxes;
  const keys = findBox(children, 'keys');
  const ilst = findBox(children, 'ilst');
  if (keys === undefined || ilst === undefined) return [];
  const names: string[] = [];
  const count = reader.u32(keys.payload + 4) ?? 0;
  let cursor = keys.payload + 8;
  for (let i = 0; i < count && cursor + 8 <= keys.end; i += 1) {
    const size = reader.u32(cursor);
    if (size === null || size < 8) break;
    names.push(reader.utf8(cursor + 8, size - 8));
    cursor += size;
  }
  return childBoxes(bytes, ilst.payload, ilst.end).boxes.filter((item) => {
    const index = reader.u32(item.start + 4);
    const name = index === null ? undefined : names[index - 1];
    return name?.startsWith('com.apple.quicktime.location.') === true;
  });
}

/**
 * The patches that fall in `[start, end]` (inclusive, as a Range), cut to it and placed relative
 * to `start`: what to overwrite in a response that starts there.
 */
export function patchesWithin(patches: readonly Patch[], start: number, end: number): Patch[] {
  const within: Patch[] = [];
  for (const patch of patches) {
    const from = Math.max(patch.offset, start);
    const to = Math.min(patch.offset + patch.bytes.length - 1, end);
    if (from > to) continue;
    within.push({
      offset: from - start,
      bytes: patch.bytes.subarray(from - patch.offset, to - patch.offset + 1),
    });
  }
  return within;
}

/** Overwrites `patches` (offsets relative to the first byte of `chunks`) as the bytes stream past. */
export async function* applyPatches(
  chunks: AsyncIterable<Uint8Array>,
  patches: readonly Patch[],
): AsyncGenerator<Uint8Array> {
  let position = 0;
  for await (const chunk of chunks) {
    let out = chunk;
    for (const patch of patches) {
      const from = Math.max(patch.offset, position);
      const to = Math.min(patch.offset + patch.bytes.length, position + chunk.length);
      if (from >= to) continue;
      // Copied before the first change: the stream's buffer may be shared.
      if (out === chunk) out = Uint8Array.from(chunk);
      out.set(patch.bytes.subarray(from - patch.offset, to - patch.offset), from - position);
    }
    position += chunk.length;
    yield out;
  }
}
