/**
 * ISO base media file format boxes (ISO/IEC 14496-12 §4.2), the container of HEIF, AVIF, MP4,
 * QuickTime and 3GP: `size(32) type(4cc) [largesize(64) when size = 1]`, size 0 = "to the end".
 */
import { Reader } from './bytes';
import type { ByteSource } from './bytes';

export interface Box {
  type: string;
  /** Offset of the size field. */
  start: number;
  /** Offset of the first byte after the header. */
  payload: number;
  /** Offset just past the box. */
  end: number;
}

export interface BoxList {
  boxes: Box[];
  /** A box claimed a size smaller than its header or past its parent: the rest was not read. */
  malformed: boolean;
}

/** More children than any real file has; a fuzzed file cannot make us loop for long. */
const MAX_BOXES = 100_000;

function header(reader: Reader, at: number, end: number): Box | 'malformed' | null {
  const size32 = reader.u32(at);
  const type = reader.length >= at + 8 ? reader.latin1(at + 4, 4) : null;
  if (size32 === null || type === null) return null;
  let size = size32;
  let headerSize = 8;
  if (size32 === 1) {
    const large = reader.u64(at + 8);
    if (large === null) return 'malformed';
    size = large;
    headerSize = 16;
  } else if (size32 === 0) {
    size = end - at;
  }
  if (size < headerSize || at + size > end) return 'malformed';
  return { type, start: at, payload: at + headerSize, end: at + size };
}

/** The boxes laid one after another in `bytes[start, end)`. */
export function childBoxes(bytes: Uint8Array, start = 0, end = bytes.length): BoxList {
  const reader = new Reader(bytes);
  const boxes: Box[] = [];
  let at = start;
  while (at + 8 <= end && boxes.length < MAX_BOXES) {
    const box = header(reader, at, end);
    if (box === 'malformed') return { boxes, malformed: true };
    if (box === null) break;
    boxes.push(box);
    at = box.end;
  }
  // Fewer than 8 bytes left over is padding, not a box.
  return { boxes, malformed: false };
}

/** The same as {@link childBoxes}, reading only the 16-byte headers from a file. */
export async function childBoxesOf(source: ByteSource, start: number, end: number): Promise<BoxList> {
  const boxes: Box[] = [];
  let at = start;
  while (at + 8 <= end && boxes.length < MAX_BOXES) {
    const head = await source.read(at, 16);
    // Offsets in the 16 bytes read are relative to `at`; shift them back to the file.
    const box = header(new Reader(head), 0, end - at);
    if (box === 'malformed') return { boxes, malformed: true };
    if (box === null) break;
    boxes.push({ type: box.type, start: at, payload: at + box.payload, end: at + box.end });
    at += box.end;
  }
  return { boxes, malformed: false };
}

export function findBox(list: readonly Box[], type: string): Box | undefined {
  return list.find((box) => box.type === type);
}

/** Seconds between the ISO BMFF epoch (1904-01-01T00:00:00Z) and the Unix epoch. */
export const MAC_EPOCH_OFFSET_SECONDS = 2_082_844_800;
