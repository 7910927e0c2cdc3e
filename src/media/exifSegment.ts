import type { ByteReader } from './dimensions';

/**
 * Carrying a JPEG's EXIF over to its Storage saver copy. browser-image-compression's own
 * `preserveExif` walks the segments without bounds inside a FileReader callback, so a JPEG with
 * fill bytes or a broken segment length throws there and its promise never settles, which would
 * stall the preparing worker. This walk is bounded and every read is checked.
 */

const u16 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);

/** "Exif\0\0", the identifier that opens an EXIF APP1 segment (CIPA DC-008 §4.5.4). */
const EXIF_ID = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00];

const ORIENTATION_TAG = 0x0112;
const SHORT = 3;

/**
 * Sets IFD0's Orientation to 1 (CIPA DC-008 §4.6.4 A): the copy's pixels are already turned
 * upright, so an orientation left in place would turn them twice. `tiff` is the segment's TIFF
 * structure. False when the structure is broken: the caller then drops the EXIF rather than risk it.
 */
function resetOrientation(tiff: DataView): boolean {
  if (tiff.byteLength < 8) return false;
  const order = tiff.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return false;
  const little = order === 0x4949;
  const ifd0 = tiff.getUint32(4, little);
  if (ifd0 + 2 > tiff.byteLength) return false;
  const count = tiff.getUint16(ifd0, little);
  if (ifd0 + 2 + count * 12 > tiff.byteLength) return false;
  for (let entry = ifd0 + 2; entry < ifd0 + 2 + count * 12; entry += 12) {
    if (tiff.getUint16(entry, little) !== ORIENTATION_TAG) continue;
    if (tiff.getUint16(entry + 2, little) !== SHORT || tiff.getUint32(entry + 4, little) !== 1) return false;
    tiff.setUint16(entry + 8, 1, little);
  }
  return true;
}

/**
 * The JPEG's EXIF APP1 segment (marker included) with Orientation reset to 1, or null when it has
 * none (or a broken one). Reads segment headers only, then the one segment.
 */
export async function readExifSegment(
  read: ByteReader,
  size: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const soi = await read(0, 2);
  if (u16(soi, 0) !== 0xffd8) return null;
  let at = 2;
  for (let segments = 0; segments < 1000 && at + 4 <= size; segments += 1) {
    const head = await read(at, 10);
    if (head[0] !== 0xff) return null;
    const marker = head[1] ?? 0;
    if (marker === 0xff) {
      // Fill byte before a marker (ITU-T T.81 §B.1.1.2).
      at += 1;
      continue;
    }
    // EXIF sits before the frame and scan; past SOS there is only entropy-coded data.
    if (marker === 0xda || marker === 0xd9) return null;
    const length = u16(head, 2);
    if (length < 2) return null;
    if (marker === 0xe1 && EXIF_ID.every((byte, i) => head[4 + i] === byte)) {
      const segment = (await read(at, 2 + length)).slice();
      // Marker, length, identifier and a TIFF header at the least.
      if (segment.length !== 2 + length || segment.length < 18) return null;
      const tiff = new DataView(segment.buffer, 10);
      return resetOrientation(tiff) ? segment : null;
    }
    at += 2 + length;
  }
  return null;
}

/**
 * The JPEG with `segment` as its first segment, as the EXIF standard places APP1 (CIPA DC-008
 * §4.5.4), replacing the JFIF APP0 a canvas encoder writes (JFIF and EXIF both want that place;
 * cameras write EXIF). The encoded bytes are referenced, not copied.
 */
export async function withExifSegment(jpeg: Blob, segment: Uint8Array<ArrayBuffer>): Promise<Blob> {
  const head = new Uint8Array(await jpeg.slice(0, 6).arrayBuffer());
  const app0 = u16(head, 2) === 0xffe0 ? 2 + u16(head, 4) : 0;
  return new Blob([jpeg.slice(0, 2), segment, jpeg.slice(2 + app0)], {
    type: 'image/jpeg',
  });
}
