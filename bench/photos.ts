/**
 * `npm run bench -- photos` (issue 13): 100 corpus photos (the corpus's camera and phone JPEGs in
 * turn, 0.1–4 MB, each with 16 random bytes after its end so that none is a duplicate), prepared
 * while the browser is offline, then backed up once it is back online, by whichever drains first
 * (the page on `online`, or the service worker), through the home link (bench/link.ts: 200 Mbit/s,
 * 20 ms round trip). Prints photos per second with the app's uploads at once (drain.ts,
 * UPLOAD_LANES) and with the link letting through one upload request at a time, then two (a gate
 * in the proxy: each waits for the answer to the one before, as a client sending one at a time
 * would), against what the link allows: the photos' bytes ÷ the link's rate. The gated runs are
 * kind to one at a time: the app's work between two requests overlaps the link's. Asserts nothing.
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
import { Link, bytesPerSecond, describeProfile, linkProfile, startLinkProxy } from './link.ts';
import { timeDrain } from './queue-timing.ts';

const PHOTOS = 100;
const PROFILE = linkProfile('home');
/** The corpus's well-formed camera and phone JPEGs (MANIFEST.tsv), not its broken or tiny ones. */
const SOURCES = [
  'Landscape_0.jpg',
  'Landscape_1.jpg',
  'Landscape_3.jpg',
  'Landscape_6.jpg',
  'Landscape_8.jpg',
  'Portrait_2.jpg',
  'Portrait_4.jpg',
  'Portrait_5.jpg',
  'Portrait_7.jpg',
  'IMG_20180725_163423.jpg',
  'iphone_hdr_YES.jpg',
  'Samsung GT-I9000 (Galaxy S).jpg',
  'HTC One.jpg',
  'Blackberry Z10.jpg',
  'Nexus 4.jpg',
  'canon-dslr.jpg',
  'DSCN0010.jpg',
  'Olympus μ Digital 800.JPG',
  'canon-ixus.jpg',
  'no_exif.jpg',
];

function makePhotos(dir: string): { paths: string[]; bytes: number } {
  const paths: string[] = [];
  let bytes = 0;
  for (let index = 0; index < PHOTOS; index++) {
    const source = SOURCES[index % SOURCES.length] ?? SOURCES[0]!;
    const photo = Buffer.concat([readFileSync(corpusFile(source).path), randomBytes(16)]);
    const path = join(dir, `photo-${String(index).padStart(3, '0')}.jpg`);
    writeFileSync(path, photo);
    paths.push(path);
    bytes += photo.length;
  }
  return { paths, bytes };
}

/**
 * One run on a fresh server and browser profile, uploads held to `atOnce` requests at a time by
 * the link (null: as many as the app sends): milliseconds from the first upload to the last.
 */
async function uploadAll(browser: Browser, paths: string[], atOnce: number | null): Promise<number> {
  const server = await startServer();
  const link = new Link();
  const proxy = await startLinkProxy(link, server.url);
  const context = await browser.newContext();
  try {
    await createOwnerThroughApi(context, proxy.url);
    const page = await context.newPage();
    await page.goto(`${proxy.url}/settings`);
    await waitForServiceWorker(page);
    await page.getByLabel('Original quality').check();
    // Offline, the page prepares every photo (type, hashes, date) and sends nothing.
    await context.setOffline(true);
    await page.goto(`${proxy.url}/backup`).catch(() => undefined);
    await page.getByTestId('add-photos-input').setInputFiles(paths);
    for (;;) {
      const items = await queueRecords(page);
      if (items.length === paths.length && items.every((item) => item.state === 'ready')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    link.profile = PROFILE;
    link.setGate(atOnce === null ? null : { pathPrefix: TUS_ENDPOINT, limit: atOnce });
    const { uploadStarted, uploadDone } = await timeDrain(page, 600_000, () => context.setOffline(false));
    return uploadDone - uploadStarted;
  } finally {
    await context.close();
    await proxy.close();
    await server.stop();
    removeDir(server.dataDir);
  }
}

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shoebox-bench-photos-'));
  const browser = await launchChromium();
  try {
    const { paths, bytes } = makePhotos(dir);
    const linkMs = (bytes * 1000) / bytesPerSecond(PROFILE);
    const linkRate = (PHOTOS * 1000) / linkMs;
    console.log(
      `${PHOTOS} photos, ${(bytes / 1e6).toFixed(1)} MB, Original quality, prepared offline; ${describeProfile(PROFILE)}; load average at the start: ${load()}`,
    );
    console.log(
      `the link allows ${linkRate.toFixed(1)} photos/s (${(linkMs / 1000).toFixed(2)} s for the bytes alone)`,
    );
    const rates = new Map<string, number>();
    for (const atOnce of [1, 2, null]) {
      const label =
        atOnce === null
          ? "as many at once as the app sends (drain.ts's UPLOAD_LANES)"
          : `${atOnce} at once (gated)`;
      const ms = await uploadAll(browser, paths, atOnce);
      const rate = (PHOTOS * 1000) / ms;
      rates.set(String(atOnce ?? 'app'), rate);
      console.log(
        `${label}: ${rate.toFixed(1)} photos/s in ${(ms / 1000).toFixed(2)} s, ${(rate / linkRate).toFixed(2)} of what the link allows`,
      );
    }
    const one = rates.get('1') ?? 1;
    console.log(
      `the app's / 1 at once: ${((rates.get('app') ?? 0) / one).toFixed(2)}×; 2 / 1: ${((rates.get('2') ?? 0) / one).toFixed(2)}×; load average at the end: ${load()}`,
    );
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}
