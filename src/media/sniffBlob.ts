import { SNIFF_BYTES, sniff } from '../shared/sniff';
import type { Sniffed } from '../shared/sniff';

/** The real type of a Blob from its first bytes (the name and the browser's guess are ignored). */
export async function sniffBlob(blob: Blob): Promise<Sniffed | null> {
  const head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
  return sniff(head);
}
