/**
 * Issue 3, end-to-end tests 5 and 6: preparing in real Chromium against the real server.
 *
 * 5. The corpus's broken files, added with two good ones under Storage saver (so the decoding
 *    paths run too). What "right" is, per file — Shoebox backs up the user's files, the server
 *    verifies checksums and type, not decodability, and Google Photos likewise keeps a photo it
 *    cannot render rather than dropping it:
 *    - zero-byte.jpg: nothing to keep → skipped, "This file is empty.";
 *    - 32d08f….jpg (a JPEG cut short): still the user's photo, and Chromium draws what is there →
 *      backed up;
 *    - IMG_2927.jpg (an iPhone HEIC named .jpg): a valid photo → backed up as image/heic, byte for
 *      byte, with the note that this browser can't decode HEIC (so Storage saver could not shrink it);
 *    - beach.jpg (a real JPEG with a DNL marker Chromium cannot decode) → backed up as picked,
 *      with a note;
 *    - NegativeArraySizeException….heif (a fuzzed HEIF: valid ftyp, broken boxes): its bytes say
 *      HEIF and nothing can prove it is not the user's photo → backed up as picked, with a note;
 *    and none of them holds up the good files (a photo, a photo with EXIF Orientation 6 and a
 *    video), which end done: the photos recompressed (the rotated one drawn upright with its
 *    Orientation reset), the video as picked.
 * 6. Storage saver on a 24 MP JPEG made here: the server receives at most 16 MP with
 *    DateTimeOriginal kept; Original quality: the stored bytes equal the file.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset } from '../../src/shared/api';
import { corpusFile } from '../support/corpus';
import {
  createOwnerThroughUi,
  launchChromium,
  removeDir,
  startServer,
  type Browser,
  type BrowserContext,
  type Page,
  type RunningServer,
  waitForStoredSetting,
} from './harness';

type Quality = 'saver' | 'original';

/** Chooses the quality in Settings the way a person does, then waits until the queue's store has it. */
async function chooseQuality(page: Page, baseUrl: string, quality: Quality): Promise<void> {
  await page.goto(`${baseUrl}/settings`);
  await page.getByLabel(quality === 'saver' ? 'Storage saver' : 'Original quality').check();
  await waitForStoredSetting(page, 'quality', quality);
  await page.goto(`${baseUrl}/backup`);
}

async function listAssets(page: Page): Promise<Asset[]> {
  return page.evaluate(async () => {
    const response = await fetch('/api/assets?limit=500');
    return ((await response.json()) as { items: Asset[] }).items;
  });
}

/** The stored original, fetched from Node with the page's session cookie (megabytes, not JSON). */
async function storedBytes(context: BrowserContext, baseUrl: string, assetId: string): Promise<Buffer> {
  const cookie = (await context.cookies(baseUrl)).map(({ name, value }) => `${name}=${value}`).join('; ');
  const response = await fetch(`${baseUrl}/api/assets/${assetId}/original`, { headers: { cookie } });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** Waits until no item is left in a state with work ahead of it, and returns each item's state. */
async function settledStates(page: Page, count: number): Promise<Map<string, string>> {
  const items = page.getByTestId('queue-item');
  await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(count);
  await expect
    .poll(
      async () =>
        (await items.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-state')))).every(
          (state) => state === 'done' || state === 'skipped' || state === 'blocked',
        ),
      { timeout: 150_000, interval: 500 },
    )
    .toBe(true);
  const pairs = await items.evaluateAll((nodes) =>
    nodes.map(
      (node) => [node.getAttribute('data-name') ?? '', node.getAttribute('data-state') ?? ''] as const,
    ),
  );
  return new Map(pairs);
}

function itemText(page: Page, name: string): Promise<string> {
  return page.locator(`[data-testid="queue-item"][data-name="${name}"]`).innerText();
}

describe('preparing: broken files, Storage saver and Original quality', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'shoebox-e2e-prepare-'));
    server = await startServer();
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    await createOwnerThroughUi(page, server.url);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    if (server) removeDir(server.dataDir);
    if (workDir) removeDir(workDir);
  });

  it('5: broken files end in the right state and none holds up the rest', async () => {
    await chooseQuality(page, server.url, 'saver');
    const broken = {
      empty: corpusFile('zero-byte.jpg'),
      truncated: corpusFile('32d08f4a5eb10332506ebedbb9bc7257.jpg'),
      heicNamedJpg: corpusFile('IMG_2927.jpg'),
      undecodable: corpusFile('beach.jpg'),
      fuzzed: corpusFile('NegativeArraySizeException.HeifReader.processBoxes.heif'),
    };
    const good = {
      photo: corpusFile('IMG_20180725_163423.jpg'),
      // Stored as 3264×1836 pixels with EXIF Orientation 6 (turn 90° clockwise to view).
      rotated: corpusFile('Blackberry Z10.jpg'),
      video: corpusFile('with-gps.mp4'),
    };
    // Broken files first, so a stuck one would hold the good ones behind it.
    const files = [...Object.values(broken), ...Object.values(good)];
    await page.getByTestId('add-photos-input').setInputFiles(files.map((file) => file.path));

    const states = await settledStates(page, files.length);
    expect(Object.fromEntries(states)).toEqual({
      [broken.empty.filename]: 'skipped',
      [broken.truncated.filename]: 'done',
      [broken.heicNamedJpg.filename]: 'done',
      [broken.undecodable.filename]: 'done',
      [broken.fuzzed.filename]: 'done',
      [good.photo.filename]: 'done',
      [good.rotated.filename]: 'done',
      [good.video.filename]: 'done',
    });
    expect(await itemText(page, broken.empty.filename)).toContain('This file is empty.');
    expect(await itemText(page, broken.heicNamedJpg.filename)).toContain(
      "Uploaded in original quality: this browser can't decode HEIC.",
    );
    expect(await itemText(page, broken.undecodable.filename)).toContain('Uploaded in original quality');
    expect(await itemText(page, broken.fuzzed.filename)).toContain('Uploaded in original quality');

    const assets = await listAssets(page);
    const bySource = new Map(assets.map((asset) => [asset.sourceSha256, asset]));
    expect(assets).toHaveLength(7);
    // The HEIC is stored as what it is, not what its name says, byte for byte.
    const heic = bySource.get(broken.heicNamedJpg.sha256);
    expect(heic?.mimeType).toBe('image/heic');
    expect(heic?.sha256).toBe(broken.heicNamedJpg.sha256);
    // Files the browser cannot decode go up as picked.
    expect(bySource.get(broken.undecodable.sha256)?.sha256).toBe(broken.undecodable.sha256);
    expect(bySource.get(broken.fuzzed.sha256)?.sha256).toBe(broken.fuzzed.sha256);
    // The good photo was recompressed (Storage saver); the video never is.
    const photo = bySource.get(good.photo.sha256);
    expect(photo?.mimeType).toBe('image/jpeg');
    expect(photo?.sha256).not.toBe(good.photo.sha256);
    expect(photo?.bytes).toBeLessThan(good.photo.bytes);
    expect(bySource.get(good.video.sha256)?.sha256).toBe(good.video.sha256);
    // The copy's pixels are drawn upright and its Orientation reset, so viewers do not turn it twice.
    const rotated = bySource.get(good.rotated.sha256);
    expect(rotated?.sha256).not.toBe(good.rotated.sha256);
    const turned = await sharp(await storedBytes(context, server.url, rotated?.id ?? '')).metadata();
    expect([turned.width, turned.height, turned.orientation ?? 1]).toEqual([1836, 3264, 1]);
  });

  /** A 6000×4000 (24 MP) camera-like JPEG with DateTimeOriginal, different per seed. */
  async function make24MpJpeg(name: string, seed: number): Promise<string> {
    const path = join(workDir, name);
    await sharp(corpusFile('canon-dslr.jpg').path)
      .resize(6000, 4000, { fit: 'cover' })
      .modulate({ hue: seed * 40 })
      .withExif({
        IFD0: { Make: 'Shoebox', Model: 'E2E' },
        IFD2: { DateTimeOriginal: `2023:0${seed}:14 09:26:53` },
      })
      .jpeg({ quality: 90 })
      .toFile(path);
    return path;
  }

  async function waitDone(name: string): Promise<void> {
    await expect
      .poll(
        () => page.locator(`[data-testid="queue-item"][data-name="${name}"]`).getAttribute('data-state'),
        { timeout: 150_000, interval: 500 },
      )
      .toBe('done');
  }

  async function assetFor(file: Buffer): Promise<Asset> {
    const sourceSha256 = createHash('sha256').update(file).digest('hex');
    const asset = (await listAssets(page)).find((candidate) => candidate.sourceSha256 === sourceSha256);
    if (asset === undefined) throw new Error('The photo is not in the library');
    return asset;
  }

  it('6: Storage saver uploads at most 16 MP with DateTimeOriginal kept', async () => {
    const path = await make24MpJpeg('saver-24mp.jpg', 1);
    await chooseQuality(page, server.url, 'saver');
    await page.getByTestId('add-photos-input').setInputFiles(path);
    await waitDone('saver-24mp.jpg');

    const original = readFileSync(path);
    const stored = await storedBytes(context, server.url, (await assetFor(original)).id);
    const { width = 0, height = 0, format } = await sharp(stored).metadata();
    expect(format).toBe('jpeg');
    expect(width * height).toBeLessThanOrEqual(16_000_000);
    // Resized, not cropped: the aspect ratio is kept (to within the rounding of one side).
    expect(width / height).toBeCloseTo(6000 / 4000, 2);
    expect(width * height).toBeGreaterThan(15_900_000);
    const exif = (await exifr.parse(stored, {
      pick: ['DateTimeOriginal', 'Orientation'],
      reviveValues: false,
    })) as { DateTimeOriginal?: string } | undefined;
    expect(exif?.DateTimeOriginal).toBe('2023:01:14 09:26:53');
  });

  it('6: Original quality stores the bytes of the file as picked', async () => {
    const path = await make24MpJpeg('original-24mp.jpg', 2);
    await chooseQuality(page, server.url, 'original');
    await page.getByTestId('add-photos-input').setInputFiles(path);
    await waitDone('original-24mp.jpg');

    const original = readFileSync(path);
    const stored = await storedBytes(context, server.url, (await assetFor(original)).id);
    expect(stored.equals(original)).toBe(true);
  });
});
