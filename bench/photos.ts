/**
 * Many photos, the common case of a backup: 60 distinct JPEGs (corpus photos, each with 16 random
 * bytes after its end, so that none is a duplicate) are prepared while the browser is offline,
 * then uploaded to Shoebox once it is back online, by whichever drains first (the page on
 * `online`, or the service worker). Prints the time and the tus requests per photo, with no added
 * latency and with 40 ms of it on the page's requests (CDP network emulation), as a phone reaching
 * a home server over the internet would see. Asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TUS_ENDPOINT } from '../src/shared/tus.ts';
import { corpusFile } from '../tests/support/corpus.ts';
import {
  createOwnerThroughApi,
  launchChromium,
  queueRecords,
  removeDir,
  startServer,
  waitForServiceWorker,
  type Browser,
} from '../tests/e2e/harness.ts';
import { timeDrain } from './queue-timing.ts';

const PHOTOS = 60;
const SOURCES = [
  'IMG_2927.jpg',
  'Landscape_1.jpg',
  'Portrait_2.jpg',
  'HTC One.jpg',
  'DSCN0010.jpg',
  'Canon IXUS.jpg',
];

function makePhotos(dir: string): { paths: string[]; bytes: number } {
  const paths: string[] = [];
  let bytes = 0;
  for (let index = 0; index < PHOTOS; index++) {
    const source = SOURCES[index % SOURCES.length] ?? SOURCES[0]!;
    const photo = Buffer.concat([readFileSync(corpusFile(source).path), randomBytes(16)]);
    const path = join(dir, `photo-${String(index).padStart(2, '0')}.jpg`);
    writeFileSync(path, photo);
    paths.push(path);
    bytes += photo.length;
  }
  return { paths, bytes };
}

/** Requests to the tus endpoint in the server's log (at level info, fastify logs each one). */
function tusRequests(log: string): number {
  let count = 0;
  for (const line of log.split('\n')) {
    if (!line.includes('"incoming request"')) continue;
    const { req } = JSON.parse(line) as { req?: { url?: string } };
    if (req?.url?.startsWith(TUS_ENDPOINT) === true) count++;
  }
  return count;
}

/**
 * One run on a fresh server and browser profile: milliseconds from the first upload to the last,
 * and how many requests went to the tus endpoint.
 */
async function uploadAll(
  browser: Browser,
  paths: string[],
  latencyMs: number,
): Promise<{ ms: number; tusRequests: number }> {
  const server = await startServer({ env: { LOG_LEVEL: 'info' } });
  const context = await browser.newContext();
  try {
    await createOwnerThroughApi(context, server.url);
    const page = await context.newPage();
    await page.goto(`${server.url}/settings`);
    await waitForServiceWorker(page);
    await page.getByLabel('Original quality').check();
    // Offline, the page prepares every photo (type, hashes, date) and sends nothing.
    await context.setOffline(true);
    await page.goto(`${server.url}/backup`).catch(() => undefined);
    await page.getByTestId('add-photos-input').setInputFiles(paths);
    for (;;) {
      const items = await queueRecords(page);
      if (items.length === paths.length && items.every((item) => item.state === 'ready')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (latencyMs > 0) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: latencyMs,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    }
    const { uploadStarted, uploadDone } = await timeDrain(page, 300_000, () => context.setOffline(false));
    return { ms: uploadDone - uploadStarted, tusRequests: tusRequests(server.output()) };
  } finally {
    await context.close();
    await server.stop();
    removeDir(server.dataDir);
  }
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shoebox-bench-photos-'));
  const browser = await launchChromium();
  try {
    const { paths, bytes } = makePhotos(dir);
    console.log(
      `${PHOTOS} photos, ${(bytes / 1024 / 1024).toFixed(1)} MB, Original quality, prepared while offline`,
    );
    for (const latencyMs of [0, 40]) {
      const { ms, tusRequests } = await uploadAll(browser, paths, latencyMs);
      console.log(
        `uploaded in ${(ms / 1000).toFixed(2)} s with ${latencyMs} ms of added latency: ${(ms / PHOTOS).toFixed(0)} ms a photo, ${(tusRequests / PHOTOS).toFixed(2)} tus requests a photo`,
      );
    }
    console.log(
      `load average at the end: ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}
