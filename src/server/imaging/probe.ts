/** What a file really is: its size and its type sniffed from its first bytes. */
import { open } from 'node:fs/promises';
import { mediaKindOf } from '../../shared/limits';
import type { MediaKind } from '../../shared/limits';
import { SNIFF_BYTES, sniff } from '../../shared/sniff';

export interface Probe {
  size: number;
  /** The sniffed type, or the caller's when the bytes match nothing known. */
  mimeType: string;
  kind: MediaKind | null;
}

/**
 * Stats and sniffs `path`. The bytes win over the caller's type, so a HEIC named and typed as a
 * JPEG (the corpus' IMG_2927.jpg) still goes to the HEIF decoder. Throws on I/O errors.
 */
export async function probe(path: string, mimeType: string): Promise<Probe> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    if (head.length > 0) await file.read(head, 0, head.length, 0);
    const sniffed = sniff(head);
    const type = sniffed?.mimeType ?? mimeType.toLowerCase();
    return { size, mimeType: type, kind: sniffed?.kind ?? mediaKindOf(type) };
  } finally {
    await file.close();
  }
}

/** HEVC-coded HEIF, which only the WebAssembly decoder reads. */
export function isHeic(mimeType: string): boolean {
  return /^image\/hei[cf](-sequence)?$/.test(mimeType);
}

/** AV1-coded HEIF: libvips decodes it, but its orientation follows the HEIF rules too. */
export function isAvif(mimeType: string): boolean {
  return /^image\/avif(-sequence)?$/.test(mimeType);
}
