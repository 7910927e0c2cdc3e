import './testing/exifrInNode';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../shared/limits';
import { NOTE_ANIMATED, NOTE_LOSSLESS, noteCannotDecode } from './compress';
import { EMPTY_FILE_REASON, UNKNOWN_TYPE_REASON, prepareFile } from './prepare';
import type { PrepareInput } from '../queue/preparer';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

/** node:fs through a computed specifier: this folder's tsconfig has DOM types, not Node's. */
async function corpusBlob(name: string): Promise<Blob> {
  const nodeFs = 'node:fs';
  const { openAsBlob } = (await import(nodeFs)) as { openAsBlob: (path: URL) => Promise<Blob> };
  return openAsBlob(new URL(name, CORPUS));
}

const input = (blob: Blob, overrides: Partial<PrepareInput> = {}): PrepareInput => ({
  blob,
  lastModified: Date.UTC(2024, 0, 2, 3, 4, 5),
  limits: DEFAULT_LIMITS,
  quality: 'original',
  ...overrides,
});

/** A PNG signature and IHDR chunk claiming the given size: enough for the header reader. */
function pngHeader(width: number, height: number): Blob {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 0);
  bytes.set(new TextEncoder().encode('IHDR'), 12);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return new Blob([bytes]);
}

describe('prepareFile', () => {
  it('skips an empty file and one that is not a photo or video', async () => {
    expect(await prepareFile(input(new Blob([])))).toEqual({ kind: 'skipped', reason: EMPTY_FILE_REASON });
    expect(await prepareFile(input(new Blob(['%PDF-1.7'])))).toEqual({
      kind: 'skipped',
      reason: UNKNOWN_TYPE_REASON,
    });
  });

  it('skips a photo over the megapixel limit from its header alone, saying by how much', async () => {
    expect(await prepareFile(input(pngHeader(12_040, 10_000)))).toEqual({
      kind: 'skipped',
      reason: 'Larger than 100 megapixels (120.4 MP).',
    });
    const limits = { ...DEFAULT_LIMITS, maxPhotoPixels: 50_000_000 };
    expect(await prepareFile(input(pngHeader(10_000, 5_001), { limits }))).toEqual({
      kind: 'skipped',
      reason: 'Larger than 50 megapixels (50 MP).',
    });
  });

  it('skips a video over the size limit', async () => {
    const limits = { ...DEFAULT_LIMITS, maxVideoBytes: 100_000 };
    expect(await prepareFile(input(await corpusBlob('with-gps.mp4'), { limits }))).toEqual({
      kind: 'skipped',
      reason: "Videos can't exceed 100 KB (243 KB).",
    });
  });

  it('in Original quality keeps the file as picked: one hash, the EXIF date, no copy', async () => {
    const result = await prepareFile(input(await corpusBlob('IMG_20180725_163423.jpg')));
    const sha256 = 'ffb3bd030347c17e6028d4fdf9e82d6061ab1995550d3581859db2c60b144421';
    expect(result).toEqual({
      kind: 'ready',
      fields: { type: 'image/jpeg', sourceSha256: sha256, sha256, capturedAt: '2018-07-25T16:34:23' },
    });
  });

  it('reads a HEIC named .jpg as a HEIC', async () => {
    const result = await prepareFile(input(await corpusBlob('IMG_2927.jpg')));
    expect(result.kind === 'ready' && result.fields.type).toBe('image/heic');
  });

  it('never recompresses a video under Storage saver; its date is the file date', async () => {
    const result = await prepareFile(input(await corpusBlob('with-gps.mp4'), { quality: 'saver' }));
    expect(result).toEqual({
      kind: 'ready',
      fields: {
        type: 'video/mp4',
        sourceSha256: 'e4bc499e4de81cb769d017a3732db01e9b9ee61d059970663d5239051041a616',
        sha256: 'e4bc499e4de81cb769d017a3732db01e9b9ee61d059970663d5239051041a616',
        capturedAt: '2024-01-02T03:04:05.000Z',
      },
    });
  });

  it.each([
    ['fixture.gif', NOTE_ANIMATED],
    ['Animation Lossy.webp', NOTE_ANIMATED],
    ['Issue 280 (dotnet).png', NOTE_LOSSLESS],
    ['IMG_5195.HEIC', noteCannotDecode('image/heic')],
  ])('under Storage saver keeps %s as picked, saying why', async (name, note) => {
    const result = await prepareFile(input(await corpusBlob(name), { quality: 'saver' }));
    expect(result.kind).toBe('ready');
    if (result.kind !== 'ready') return;
    expect(result.fields.note).toBe(note);
    expect(result.fields.uploadBlob).toBeUndefined();
    expect(result.fields.sha256).toBe(result.fields.sourceSha256);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      prepareFile(input(await corpusBlob('Canon_40D.jpg'), { signal: controller.signal })),
    ).rejects.toThrow();
  });
});
