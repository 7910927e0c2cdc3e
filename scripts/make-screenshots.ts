/**
 * Makes the web app manifest's screenshots (public/screenshots/), which Chromium shows in its
 * richer install dialog: the Library with real photos from the shared corpus, once wide
 * (1280×800, desktop) and once narrow (390×844, a phone). The PNGs are committed; run this again
 * after a visible change to the Library:
 *
 *   npm run build && npx tsx scripts/make-screenshots.ts
 *
 * It starts the built server (build/server/main.js) on a free port with a temporary data
 * directory, creates an account, backs the photos up through the app's own Backup screen in
 * Chromium (CHROME_PATH, /usr/bin/chromium by default), waits for their thumbnails, and
 * photographs the Library. The PNGs are reduced to a 256-colour palette to keep them small.
 */
import { mkdtempSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createOwnerThroughApi, launchChromium, removeDir, startServer } from '../tests/e2e/harness';
import { REPO_ROOT, corpusFile } from '../tests/support/corpus';

const OUT_DIR = join(REPO_ROOT, 'public/screenshots');

/**
 * Real photos: some with capture dates spread over the years, so the Library shows several days,
 * and some without, which fill the first day's row.
 */
const PHOTOS = [
  'IMG_20180725_163423.jpg',
  'iphone_hdr_YES.jpg',
  'HTC One.jpg',
  'Blackberry Z10.jpg',
  'Nexus 4.jpg',
  'Samsung GT-I9000 (Galaxy S).jpg',
  'DSCN0010.jpg',
  'Olympus μ Digital 800.JPG',
  'Canon IXUS.jpg',
  'Landscape_0.jpg',
  'Landscape_6.jpg',
  'Portrait_2.jpg',
  'Portrait_5.jpg',
];

const SHOTS = [
  { file: 'library-wide.png', width: 1280, height: 800 },
  { file: 'library-narrow.png', width: 390, height: 844 },
];

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(): Promise<void> {
  const server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'shoebox-screenshots-')) });
  const url = server.url;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await createOwnerThroughApi(context, url);

    const page = await context.newPage();
    await page.goto(`${url}/backup`);
    await page.getByTestId('add-photos-input').setInputFiles(PHOTOS.map((name) => corpusFile(name).path));
    await waitFor('the photos to be backed up with their thumbnails', async () => {
      const response = await context.request.get(`${url}/api/assets`);
      const { items } = (await response.json()) as { items: { thumb: { state: string } }[] };
      return items.length === PHOTOS.length && items.every((item) => item.thumb.state === 'ready');
    });

    await mkdir(OUT_DIR, { recursive: true });
    for (const shot of SHOTS) {
      await page.setViewportSize({ width: shot.width, height: shot.height });
      await page.goto(`${url}/library`);
      await page.getByTestId('asset').first().waitFor();
      await page.waitForFunction(() =>
        Array.from(document.images).every((image) => image.complete && image.naturalWidth > 0),
      );
      const png = await page.screenshot({ type: 'png' });
      const out = join(OUT_DIR, shot.file);
      const info = await sharp(png).png({ palette: true, colours: 256, compressionLevel: 9 }).toFile(out);
      console.log(`${out}: ${shot.width}×${shot.height}, ${Math.round(info.size / 1024)} KiB`);
    }
  } finally {
    await browser.close();
    await server.stop();
    removeDir(server.dataDir);
  }
}

await main();
