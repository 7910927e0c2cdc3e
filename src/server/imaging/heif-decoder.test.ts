import { afterAll, describe, expect, it } from 'vitest';
import { closeHeifDecoder, decodeHeifPrimary } from './heif-decoder';
import { corpusBytes } from './testkit';

const OPTIONS = { maxPixels: 100_000_000, timeoutMs: 60_000 };

afterAll(closeHeifDecoder);

describe('decodeHeifPrimary', () => {
  it('decodes the primary image of a HEIC to packed RGB, with irot applied by libheif', async () => {
    const result = await decodeHeifPrimary(corpusBytes('IMG_2927.jpg'), OPTIONS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect({ width: result.width, height: result.height, channels: result.channels }).toEqual({
      width: 3024,
      height: 4032,
      channels: 3,
    });
    expect(result.pixels.length).toBe(3024 * 4032 * 3);
  }, 60_000);

  it('decodes the primary of a four-image collection', async () => {
    const result = await decodeHeifPrimary(corpusBytes('heic-collection.heic'), OPTIONS);
    expect(result.ok && [result.width, result.height]).toEqual([1440, 960]);
  }, 60_000);

  it("reports libheif's refusal of the fuzzed HEIF quickly", async () => {
    const started = Date.now();
    const result = await decodeHeifPrimary(
      corpusBytes('NegativeArraySizeException.HeifReader.processBoxes.heif'),
      OPTIONS,
    );
    expect(result).toMatchObject({ ok: false, code: 'undecodable' });
    expect(!result.ok && result.detail).toMatch(/box size/i);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 60_000);

  it('refuses more pixels than allowed before decoding', async () => {
    const result = await decodeHeifPrimary(corpusBytes('IMG_5195.HEIC'), {
      ...OPTIONS,
      maxPixels: 1_000_000,
    });
    expect(result).toEqual({ ok: false, code: 'too-large', detail: '2566x3313' });
  }, 60_000);

  it('stops a decode that runs past its time, and the next decode still works', async () => {
    const slow = await decodeHeifPrimary(corpusBytes('IMG_5195.HEIC'), { ...OPTIONS, timeoutMs: 5 });
    expect(slow).toMatchObject({ ok: false, code: 'timeout' });
    const next = await decodeHeifPrimary(corpusBytes('heic-collection.heic'), OPTIONS);
    expect(next.ok).toBe(true);
  }, 60_000);

  it('stops on abort with the signal’s reason, and the next decode still works', async () => {
    const controller = new AbortController();
    const pending = decodeHeifPrimary(corpusBytes('IMG_5195.HEIC'), {
      ...OPTIONS,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('user left')), 20);
    await expect(pending).rejects.toThrow('user left');
    const next = await decodeHeifPrimary(corpusBytes('heic-collection.heic'), OPTIONS);
    expect(next.ok).toBe(true);
  }, 60_000);

  it('answers concurrent requests each with its own image', async () => {
    const [a, b, c] = await Promise.all([
      decodeHeifPrimary(corpusBytes('heic-collection.heic'), OPTIONS),
      decodeHeifPrimary(corpusBytes('Issue 437 (dotnet).heic'), OPTIONS),
      decodeHeifPrimary(corpusBytes('NegativeArraySizeException.HeifReader.processBoxes.heif'), OPTIONS),
    ]);
    expect(a?.ok && [a.width, a.height]).toEqual([1440, 960]);
    expect(b?.ok && [b.width, b.height]).toEqual([4000, 1848]);
    expect(c?.ok).toBe(false);
  }, 60_000);
});
