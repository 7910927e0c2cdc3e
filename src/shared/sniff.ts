/**
 * The real type of a file from its first bytes, never from its name: a HEIC named .jpg is a HEIC.
 * Pure function over the file's head so the page, the service worker and the server agree.
 */
export const SNIFF_BYTES = 512;

export interface Sniffed {
  mimeType: string;
  kind: 'photo' | 'video';
}

const ascii = (bytes: Uint8Array, start: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(start, start + length));

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  signature.every((byte, i) => bytes[offset + i] === byte);

const HEIF_BRANDS: Record<string, string> = {
  heic: 'image/heic',
  heix: 'image/heic',
  heim: 'image/heic',
  heis: 'image/heic',
  hevc: 'image/heic-sequence',
  hevx: 'image/heic-sequence',
  mif1: 'image/heif',
  msf1: 'image/heif-sequence',
  avif: 'image/avif',
  avis: 'image/avif',
};

/** ISO base media file format (ISO/IEC 14496-12 §4.3): `size 'ftyp' major_brand minor compatible…`. */
function sniffFtyp(bytes: Uint8Array): Sniffed | null {
  if (bytes.length < 12 || ascii(bytes, 4, 4) !== 'ftyp') return null;
  const boxSize =
    ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 16);
  const major = ascii(bytes, 8, 4);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= end; at += 4) compatible.push(ascii(bytes, at, 4));
  const brands = [major, ...compatible];

  // A HEIF whose major brand is the generic 'mif1' is named by its first specific brand.
  for (const brand of brands) {
    const heif = HEIF_BRANDS[brand];
    if (heif !== undefined && brand !== 'mif1' && brand !== 'msf1') {
      return { mimeType: heif.replace('-sequence', ''), kind: 'photo' };
    }
  }
  if (major === 'mif1' || major === 'msf1') return { mimeType: 'image/heif', kind: 'photo' };
  if (major === 'qt  ') return { mimeType: 'video/quicktime', kind: 'video' };
  if (major.startsWith('3g2')) return { mimeType: 'video/3gpp2', kind: 'video' };
  if (major.startsWith('3gp') || major.startsWith('3ge') || major.startsWith('3gs')) {
    return { mimeType: 'video/3gpp', kind: 'video' };
  }
  if (major === 'M4A ' || major === 'M4B ') return null;
  return { mimeType: 'video/mp4', kind: 'video' };
}

/** EBML header (RFC 9559): the DocType element 0x4282 says "webm" or "matroska". */
function sniffEbml(bytes: Uint8Array): Sniffed | null {
  if (!startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return null;
  const head = ascii(bytes, 0, Math.min(bytes.length, 64));
  if (head.includes('webm')) return { mimeType: 'video/webm', kind: 'video' };
  if (head.includes('matroska')) return { mimeType: 'video/x-matroska', kind: 'video' };
  return null;
}

export function sniff(bytes: Uint8Array): Sniffed | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { mimeType: 'image/jpeg', kind: 'photo' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { mimeType: 'image/png', kind: 'photo' };
  }
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') {
    return { mimeType: 'image/gif', kind: 'photo' };
  }
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') {
    return { mimeType: 'image/webp', kind: 'photo' };
  }
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { mimeType: 'image/tiff', kind: 'photo' };
  }
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) return { mimeType: 'image/bmp', kind: 'photo' };
  return sniffFtyp(bytes) ?? sniffEbml(bytes);
}
