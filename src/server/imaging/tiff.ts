/**
 * Wraps decoded 8-bit RGB(A) pixels and an ICC profile in an uncompressed TIFF (TIFF 6.0,
 * little-endian, one strip). sharp's raw input cannot carry a colour profile, and iPhone HEICs
 * are Display P3: given as raw they would be read as sRGB and come out dull. From a TIFF with
 * the ICCProfile tag (34675) libvips converts to sRGB like it does for any tagged JPEG.
 */
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_UNDEFINED = 7;

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Inline value, or the bytes stored after the IFD when they do not fit in 4. */
  value: number | Uint8Array;
}

export function rgbTiff(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  icc: Uint8Array,
): Buffer {
  const bitsPerSample = new Uint8Array(channels * 2);
  for (let i = 0; i < channels; i += 1) bitsPerSample[i * 2] = 8;
  const entries: Entry[] = [
    { tag: 256, type: TYPE_LONG, count: 1, value: width },
    { tag: 257, type: TYPE_LONG, count: 1, value: height },
    { tag: 258, type: TYPE_SHORT, count: channels, value: bitsPerSample },
    { tag: 259, type: TYPE_SHORT, count: 1, value: 1 }, // no compression
    { tag: 262, type: TYPE_SHORT, count: 1, value: 2 }, // RGB
    { tag: 273, type: TYPE_LONG, count: 1, value: 0 }, // StripOffsets, set below
    { tag: 277, type: TYPE_SHORT, count: 1, value: channels },
    { tag: 278, type: TYPE_LONG, count: 1, value: height },
    { tag: 279, type: TYPE_LONG, count: 1, value: pixels.length },
    { tag: 284, type: TYPE_SHORT, count: 1, value: 1 }, // chunky
    ...(channels === 4 ? [{ tag: 338, type: TYPE_SHORT, count: 1, value: 2 }] : []), // unassociated alpha
    { tag: 34675, type: TYPE_UNDEFINED, count: icc.length, value: icc },
  ];

  const ifdSize = 2 + entries.length * 12 + 4;
  const even = (n: number): number => n + (n % 2);
  let extraSize = 0;
  for (const entry of entries) if (entry.value instanceof Uint8Array) extraSize += even(entry.value.length);
  const headerSize = even(8 + ifdSize + extraSize);
  const header = Buffer.alloc(headerSize);

  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(8, 4);
  header.writeUInt16LE(entries.length, 8);
  let extraAt = 8 + ifdSize;
  entries.forEach((entry, index) => {
    const at = 10 + index * 12;
    header.writeUInt16LE(entry.tag, at);
    header.writeUInt16LE(entry.type, at + 2);
    header.writeUInt32LE(entry.count, at + 4);
    if (entry.value instanceof Uint8Array) {
      header.writeUInt32LE(extraAt, at + 8);
      header.set(entry.value, extraAt);
      extraAt += even(entry.value.length);
    } else if (entry.tag === 273) {
      header.writeUInt32LE(headerSize, at + 8);
    } else if (entry.type === TYPE_SHORT) {
      header.writeUInt16LE(entry.value, at + 8);
    } else {
      header.writeUInt32LE(entry.value, at + 8);
    }
  });
  return Buffer.concat([header, pixels]);
}
