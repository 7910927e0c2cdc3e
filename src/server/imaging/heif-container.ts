/**
 * The parts of a HEIF/AVIF container (ISO/IEC 23008-12) that decide how the primary image looks:
 * its size, the transformative properties libheif applies while decoding (clap, irot, imir, in
 * their ipma order, §6.5.10 and §6.5.12), and its ICC profile.
 */
import { childBoxes, childBoxesOf, findBox } from './bmff';
import type { Box } from './bmff';
import { Reader } from './bytes';
import type { ByteSource } from './bytes';
import type { QuarterTurn } from './orientation';

export type HeifTransform =
  | { type: 'clap'; width: number; height: number }
  /** Counter-clockwise, as the irot box counts (§6.5.10). */
  | { type: 'irot'; counterClockwise: QuarterTurn }
  /**
   * The imir field's 0 flips top↔bottom and 1 left↔right: that is what libheif 1.23 does (checked
   * on a corpus file patched with imir 0), whatever the first edition's "axis" wording suggested.
   */
  | { type: 'imir'; mirror: 'top-bottom' | 'left-right' };

export interface HeifPrimary {
  itemId: number;
  /** Coded size from the ispe property, before any transform. */
  storedWidth: number;
  storedHeight: number;
  /** Size once clap, irot and imir are applied, which is what libheif decodes to. */
  width: number;
  height: number;
  transforms: HeifTransform[];
  /**
   * True when the writer said how to turn the picture in the container (irot or imir, even a
   * 0° irot). libheif then outputs the upright picture and the EXIF Orientation, which iPhones
   * also write, must not be applied a second time.
   */
  orientedByContainer: boolean;
  /** ICC profile from a colr 'prof'/'rICC' property (iPhones write Display P3). */
  icc: Uint8Array | null;
}

export type HeifParse = { ok: true; primary: HeifPrimary } | { ok: false; reason: string };

/** Much larger than any real meta box (a few KB); a broken size field cannot make us read 4 GB. */
const MAX_META_BYTES = 16 * 1024 * 1024;

const QUARTER_TURNS: readonly QuarterTurn[] = [0, 90, 180, 270];

/** Reads the meta box from a file or buffer and describes the primary image. */
export async function readHeifContainer(source: ByteSource): Promise<HeifParse> {
  const top = await childBoxesOf(source, 0, source.size);
  const meta = findBox(top.boxes, 'meta');
  if (!meta) {
    return { ok: false, reason: top.malformed ? 'a box has an impossible size' : 'no meta box' };
  }
  if (meta.end - meta.payload > MAX_META_BYTES) return { ok: false, reason: 'meta box too large' };
  const bytes = await source.read(meta.payload, meta.end - meta.payload);
  return parseHeifMeta(bytes);
}

/** Parses the payload of the top-level meta box (a FullBox: version and flags come first). */
export function parseHeifMeta(meta: Uint8Array): HeifParse {
  const reader = new Reader(meta);
  const children = childBoxes(meta, 4);
  if (children.malformed) return { ok: false, reason: 'a box in meta has an impossible size' };

  const pitm = findBox(children.boxes, 'pitm');
  if (!pitm) return { ok: false, reason: 'no primary item (pitm)' };
  const itemId = reader.u8(pitm.payload) === 0 ? reader.u16(pitm.payload + 4) : reader.u32(pitm.payload + 4);
  if (itemId === null) return { ok: false, reason: 'truncated pitm box' };

  const iprp = findBox(children.boxes, 'iprp');
  if (!iprp) return { ok: false, reason: 'no item properties (iprp)' };
  const iprpChildren = childBoxes(meta, iprp.payload, iprp.end);
  const ipco = findBox(iprpChildren.boxes, 'ipco');
  if (iprpChildren.malformed || !ipco) return { ok: false, reason: 'no property container (ipco)' };
  const properties = childBoxes(meta, ipco.payload, ipco.end);
  if (properties.malformed) return { ok: false, reason: 'a property box has an impossible size' };

  const indices = primaryAssociations(
    reader,
    iprpChildren.boxes.filter((box) => box.type === 'ipma'),
    itemId,
  );
  if (indices === null) return { ok: false, reason: 'truncated ipma box' };

  let storedWidth: number | null = null;
  let storedHeight: number | null = null;
  let icc: Uint8Array | null = null;
  const transforms: HeifTransform[] = [];
  for (const index of indices) {
    // ipma indices are 1-based; 0 means "no property" (§8.11.14 of 14496-12).
    const box = index > 0 ? properties.boxes[index - 1] : undefined;
    if (!box) continue;
    switch (box.type) {
      case 'ispe':
        storedWidth = reader.u32(box.payload + 4);
        storedHeight = reader.u32(box.payload + 8);
        break;
      case 'irot': {
        const angle = reader.u8(box.payload);
        if (angle !== null)
          transforms.push({ type: 'irot', counterClockwise: QUARTER_TURNS[angle & 3] ?? 0 });
        break;
      }
      case 'imir': {
        const axis = reader.u8(box.payload);
        if (axis !== null)
          transforms.push({ type: 'imir', mirror: (axis & 1) === 0 ? 'top-bottom' : 'left-right' });
        break;
      }
      case 'clap': {
        const widthN = reader.u32(box.payload);
        const widthD = reader.u32(box.payload + 4);
        const heightN = reader.u32(box.payload + 8);
        const heightD = reader.u32(box.payload + 12);
        if (widthN !== null && widthD && heightN !== null && heightD) {
          transforms.push({
            type: 'clap',
            width: Math.round(widthN / widthD),
            height: Math.round(heightN / heightD),
          });
        }
        break;
      }
      case 'colr': {
        const colourType = reader.latin1(box.payload, 4);
        if (colourType === 'prof' || colourType === 'rICC') icc = meta.slice(box.payload + 4, box.end);
        break;
      }
      default:
        break;
    }
  }
  if (!storedWidth || !storedHeight) return { ok: false, reason: 'the primary image has no size (ispe)' };

  let width = storedWidth;
  let height = storedHeight;
  for (const transform of transforms) {
    if (transform.type === 'clap') {
      width = Math.min(width, transform.width);
      height = Math.min(height, transform.height);
    } else if (
      transform.type === 'irot' &&
      (transform.counterClockwise === 90 || transform.counterClockwise === 270)
    ) {
      [width, height] = [height, width];
    }
  }
  return {
    ok: true,
    primary: {
      itemId,
      storedWidth,
      storedHeight,
      width,
      height,
      transforms,
      orientedByContainer: transforms.some((t) => t.type === 'irot' || t.type === 'imir'),
      icc,
    },
  };
}

/** Property indices associated with `itemId`, in ipma order (§8.11.14 of ISO/IEC 14496-12). */
function primaryAssociations(reader: Reader, ipmas: readonly Box[], itemId: number): number[] | null {
  const indices: number[] = [];
  for (const ipma of ipmas) {
    const version = reader.u8(ipma.payload);
    const flags = reader.uint(ipma.payload + 1, 3);
    const count = reader.u32(ipma.payload + 4);
    if (version === null || flags === null || count === null) return null;
    let at = ipma.payload + 8;
    for (let entry = 0; entry < count; entry += 1) {
      const id = version < 1 ? reader.u16(at) : reader.u32(at);
      at += version < 1 ? 2 : 4;
      const associations = reader.u8(at);
      at += 1;
      if (id === null || associations === null) return null;
      for (let i = 0; i < associations; i += 1) {
        // flags bit 0: 16-bit entries (1 essential bit + 15-bit index), else 8-bit (1 + 7).
        const value = (flags & 1) === 1 ? reader.u16(at) : reader.u8(at);
        at += (flags & 1) === 1 ? 2 : 1;
        if (value === null || at > ipma.end) return null;
        if (id === itemId) indices.push(value & ((flags & 1) === 1 ? 0x7fff : 0x7f));
      }
    }
  }
  return indices;
}
