import { openSync, readSync, closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifest } from '../../tests/support/corpus';
import { SNIFF_BYTES, sniff } from './sniff';

function head(path: string): Uint8Array {
  const buffer = new Uint8Array(SNIFF_BYTES);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

const EXPECTED_MIME: Record<string, string | null> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  '3gp': 'video/3gpp',
  empty: null,
};

describe('sniff', () => {
  it.each(manifest().map((row) => [row.filename, row] as const))(
    '%s is sniffed as its manifest kind',
    (_, row) => {
      const expected = EXPECTED_MIME[row.kind];
      expect(expected, `no expectation for kind ${row.kind}`).not.toBeUndefined();
      expect(sniff(head(row.path))?.mimeType ?? null).toBe(expected);
    },
  );

  it('trusts the bytes, not the name: the HEIC named .jpg is a HEIC', () => {
    const row = manifest().find((r) => r.filename === 'IMG_2927.jpg');
    expect(row && sniff(head(row.path))).toEqual({ mimeType: 'image/heic', kind: 'photo' });
  });

  it('recognises nothing in text or random bytes', () => {
    expect(sniff(new TextEncoder().encode('hello, world'))).toBeNull();
    expect(sniff(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))).toBeNull();
    expect(sniff(new Uint8Array())).toBeNull();
  });
});
