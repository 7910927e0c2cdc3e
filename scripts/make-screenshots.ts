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
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { REPO_ROOT, corpusFile } from '../tests/support/corpus';

const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const OUT_DIR = join(REPO_ROOT, 'public/screenshots');
const OWNER = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery' };

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoebox-screenshots-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [join(REPO_ROOT, 'build/server/main.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SHOEBOX_DATA_DIR: dataDir,
      SHOEBOX_STATIC_DIR: join(REPO_ROOT, 'dist'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const browser = await chromium.launch({
    executablePath: CHROME_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    await waitFor(
      'the server',
      async () => (await fetch(`${url}/api/health`).catch(() => null))?.ok === true,
    );
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const setup = await context.request.post(`${url}/api/setup`, { data: OWNER });
    if (!setup.ok()) throw new Error(`Creating the account failed: ${setup.status()}`);

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
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
