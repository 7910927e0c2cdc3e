import { describe, expect, it } from 'vitest';
import { sniffBlob } from './sniffBlob';

describe('sniffBlob', () => {
  it('reads the type from the bytes, not the name or the claimed type', async () => {
    const heic = new Uint8Array([
      0,
      0,
      0,
      0x18,
      ...new TextEncoder().encode('ftypheic'),
      0,
      0,
      0,
      0,
      ...new TextEncoder().encode('mif1heic'),
    ]);
    expect(await sniffBlob(new File([heic], 'IMG_2927.jpg', { type: 'image/jpeg' }))).toEqual({
      mimeType: 'image/heic',
      kind: 'photo',
    });
    expect(await sniffBlob(new Blob(['plain text']))).toBeNull();
  });
});
