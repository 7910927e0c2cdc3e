/**
 * A photo's pixel size read from its headers, without decoding it: the megapixel limit is checked
 * before any byte is sent, and decoding a 120 MP photo only to refuse it would cost hundreds of MB.
 * Each reader follows its format's own structure and gives up (null) on anything it does not
 * understand; the caller then falls back to decoding.
 */

export interface PhotoDimensions {
  width: number;
  height: number;
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

export function blobReader(blob: Blob): ByteReader {
  return async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
}

const u16 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const u16le = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, at: number): number => u16le(b, at) | ((b[at + 2] ?? 0) << 16);
const u32 = (b: Uint8Array, at: number): number => u16(b, at) * 0x10000 + u16(b, at + 2);
const u32le = (b: Uint8Array, at: number): number => u16le(b, at) + u16le(b, at + 2) * 0x10000;
const ascii = (b: Uint8Array, at: number, length: number): string =>
  String.fromCharCode(...b.subarray(at, at + length));

const valid = (width: number, height: number): PhotoDimensions | null =>
  width > 0 && height > 0 ? { width, height } : null;

/**
 * JPEG (ITU-T T.81 §B.2): walk the marker segments to the first SOFn frame header, whose
 * Y (lines) and X (samples per line) are the size. A Y of 0 means the height comes later in a DNL
 * marker (§B.2.5), which this does not chase: null, and the caller decodes instead.
 */
async function jpegDimensions(read: ByteReader, size: number): Promise<PhotoDimensions | null> {
  let at = 2;
  // Bounds the walk on a corrupt file: real JPEGs have a few dozen segments before the frame.
  for (let segments = 0; segments < 1000 && at + 4 <= size; segments += 1) {
    const head = await read(at, 9);
    if (head[0] !== 0xff) return null;
    const marker = head[1] ?? 0;
    // Fill bytes (0xFF padding, §B.1.1.2) before a marker.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // Standalone markers without a length: TEM and RSTn.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return valid(u16(head, 7), u16(head, 5));
    }
    // Start of scan or end of image before any frame header: not a JPEG we can read.
    if (marker === 0xda || marker === 0xd9) return null;
    at += 2 + u16(head, 2);
  }
  return null;
}

/** PNG (ISO/IEC 15948 §11.2.2): IHDR is the first chunk, width then height. */
async function pngDimensions(read: ByteReader): Promise<PhotoDimensions | null> {
  const head = await read(0, 24);
  if (ascii(head, 12, 4) !== 'IHDR') return null;
  return valid(u32(head, 16), u32(head, 20));
}

/** GIF89a: the logical screen descriptor follows the signature, little-endian. */
async function gifDimensions(read: ByteReader): Promise<PhotoDimensions | null> {
  const head = await read(0, 10);
  return valid(u16le(head, 6), u16le(head, 8));
}

/** WebP container (RFC 9649 §2.5–2.7): VP8X canvas size, or the VP8 / VP8L bitstream header. */
async function webpDimensions(read: ByteReader): Promise<PhotoDimensions | null> {
  const head = await read(0, 30);
  const chunk = ascii(head, 12, 4);
  if (chunk === 'VP8X') return valid(u24le(head, 24) + 1, u24le(head, 27) + 1);
  if (chunk === 'VP8 ') return valid(u16le(head, 26) & 0x3fff, u16le(head, 28) & 0x3fff);
  if (chunk === 'VP8L' && head[20] === 0x2f) {
    const bits = u32le(head, 21);
    return valid((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  return null;
}

/** BMP: BITMAPINFOHEADER width and height (negative height = top-down rows). */
async function bmpDimensions(read: ByteReader): Promise<PhotoDimensions | null> {
  const head = await read(0, 26);
  const width = u32le(head, 18) | 0;
  const height = u32le(head, 22) | 0;
  return valid(Math.abs(width), Math.abs(height));
}

/** Largest `meta` box read whole; real ones are a few KB to a few hundred KB. */
const MAX_META_BYTES = 4 * 1024 * 1024;

interface Box {
  type: string;
  /** Offset of the payload within the buffer. */
  start: number;
  end: number;
}

/** ISO/IEC 14496-12 §4.2: `size type [largesize]`; size 0 runs to the end. */
function* boxes(b: Uint8Array, from: number, to: number): Generator<Box> {
  let at = from;
  while (at + 8 <= to) {
    let size = u32(b, at);
    let header = 8;
    if (size === 1) {
      size = u32(b, at + 8) * 0x1_0000_0000 + u32(b, at + 12);
      header = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < header || at + size > to) return;
    yield { type: ascii(b, at + 4, 4), start: at + header, end: at + size };
    at += size;
  }
}

const child = (b: Uint8Array, parent: Box, type: string): Box | undefined => {
  for (const box of boxes(b, parent.start, parent.end)) if (box.type === type) return box;
  return undefined;
};

/**
 * HEIF / AVIF (ISO/IEC 23008-12 §6.5.3): the primary item's (`pitm`) `ispe` property, found
 * through the `ipma` associations. An iPhone HEIC's primary item is a grid whose ispe is the whole
 * photo, while its tiles each have their own small ispe. Falls back to the largest ispe.
 */
function heifDimensions(meta: Uint8Array): PhotoDimensions | null {
  const root: Box = { type: 'meta', start: 0, end: meta.length };
  const pitm = child(meta, root, 'pitm');
  const iprp = child(meta, root, 'iprp');
  const ipco = iprp && child(meta, iprp, 'ipco');
  if (ipco === undefined) return null;
  const properties = [...boxes(meta, ipco.start, ipco.end)];
  const ispe = (box: Box | undefined): PhotoDimensions | null =>
    box?.type === 'ispe' ? valid(u32(meta, box.start + 4), u32(meta, box.start + 8)) : null;

  // pitm is a full box: version 0 has a 16-bit item id, later versions a 32-bit one.
  const primaryId =
    pitm === undefined
      ? null
      : meta[pitm.start] === 0
        ? u16(meta, pitm.start + 4)
        : u32(meta, pitm.start + 4);
  const ipma = iprp && child(meta, iprp, 'ipma');
  if (primaryId !== null && ipma !== undefined) {
    const version = meta[ipma.start] ?? 0;
    const wideIndex = ((meta[ipma.start + 3] ?? 0) & 1) === 1;
    let at = ipma.start + 4;
    const count = u32(meta, at);
    at += 4;
    for (let entry = 0; entry < count && at < ipma.end; entry += 1) {
      const itemId = version < 1 ? u16(meta, at) : u32(meta, at);
      at += version < 1 ? 2 : 4;
      const associations = meta[at] ?? 0;
      at += 1;
      for (let i = 0; i < associations; i += 1) {
        // Property indexes are 1-based; 0 means "no property".
        const index = wideIndex ? u16(meta, at) & 0x7fff : (meta[at] ?? 0) & 0x7f;
        at += wideIndex ? 2 : 1;
        if (itemId === primaryId && index > 0) {
          const found = ispe(properties[index - 1]);
          if (found !== null) return found;
        }
      }
    }
  }
  let largest: PhotoDimensions | null = null;
  for (const box of properties) {
    const found = ispe(box);
    if (found !== null && (largest === null || found.width * found.height > largest.width * largest.height)) {
      largest = found;
    }
  }
  return largest;
}

/** Finds the top-level `meta` box by reading box headers only, then reads that box whole. */
async function isoBmffDimensions(read: ByteReader, size: number): Promise<PhotoDimensions | null> {
  let at = 0;
  for (let count = 0; count < 64 && at + 8 <= size; count += 1) {
    const head = await read(at, 16);
    let boxSize = u32(head, 0);
    if (boxSize === 1) boxSize = u32(head, 8) * 0x1_0000_0000 + u32(head, 12);
    else if (boxSize === 0) boxSize = size - at;
    if (boxSize < 8) return null;
    if (ascii(head, 4, 4) === 'meta') {
      if (boxSize > MAX_META_BYTES) return null;
      // The payload after the full-box header (version and flags, §4.2).
      const body = await read(at + 8, boxSize - 8);
      return heifDimensions(body.subarray(4));
    }
    at += boxSize;
  }
  return null;
}

/**
 * The pixel size of a photo from its headers, for the sniffed MIME type; null when the headers do
 * not say (a corrupt file, a JPEG whose height is in a DNL marker, TIFF, a format not listed).
 */
export async function readPhotoDimensions(
  read: ByteReader,
  size: number,
  mimeType: string,
): Promise<PhotoDimensions | null> {
  switch (mimeType) {
    case 'image/jpeg':
      return jpegDimensions(read, size);
    case 'image/png':
      return pngDimensions(read);
    case 'image/gif':
      return gifDimensions(read);
    case 'image/webp':
      return webpDimensions(read);
    case 'image/bmp':
      return bmpDimensions(read);
    case 'image/heic':
    case 'image/heif':
    case 'image/avif':
      return isoBmffDimensions(read, size);
    default:
      return null;
  }
}

/**
 * Whether a still-image format holds an animation that re-encoding to one JPEG frame would lose:
 * every GIF (its palette and transparency too), and a WebP whose VP8X header sets the Animation
 * flag (RFC 9649 §2.7, bit 1 of the first byte).
 */
export async function isAnimated(read: ByteReader, mimeType: string): Promise<boolean> {
  if (mimeType === 'image/gif') return true;
  if (mimeType !== 'image/webp') return false;
  const head = await read(0, 21);
  return ascii(head, 12, 4) === 'VP8X' && ((head[20] ?? 0) & 0x02) !== 0;
}
