/**
 * `npm run bench -- queue` (issue 19): the first backup of a whole phone. Generated unique photos
 * (a small real JPEG, 16 random bytes after its end, padded to 1 MB) added at once through "Add
 * photos" in Chromium, Original quality, against the real server over loopback. For each count
 * (SHOEBOX_BENCH_QUEUE_COUNTS, default 1000,10000) it prints:
 * - the time from the add to the first photo on the server, and to the last (the pipeline);
 * - the two stages alone, in the same run on a fresh server and profile: preparing alone (added
 *   with "Upload only while charging" on and the device on battery, until every photo is ready)
 *   and uploading alone (then on the charger, until every photo is done); the pipeline's total
 *   against the slower of the two (target ≤ 1.2×);
 * - the page's longest task while the files were being added, and over the whole run;
 * - IndexedDB reads per uploaded photo (every get, getAll, count, cursor opened or moved on, in
 *   the page), which stays the same as the queue grows when the work is in proportion to it;
 * - the page's peak JS heap.
 * Targets: first upload < 2 s; total ≤ 1.2× the slower stage; reads per photo constant.
 *
 * The service worker is blocked, so that the page drains and its IndexedDB reads are all counted
 * (the worker runs the same drain). Asserts nothing but that every photo arrived.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { chromium } from 'playwright-core';
import {
  CHROME_ARGS,
  CHROME_PATH,
  createOwnerThroughApi,
  removeDir,
  startServer,
  type Page,
} from '../tests/e2e/harness.ts';

const MB = 1024 * 1024;
const COUNTS = (process.env.SHOEBOX_BENCH_QUEUE_COUNTS ?? '1000,10000').split(',').map(Number);

/**
 * `count` unique photos of 1 MB: a real JPEG and random bytes, then zeros to 1 MB (a sparse tail,
 * so that 10,000 of them take little room here; the browser reads every byte all the same).
 */
async function generatedPhotos(dir: string, count: number): Promise<string[]> {
  const base = await sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: 40, g: 120, b: 200 } },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
  const paths: string[] = [];
  for (let at = 0; at < count; at++) {
    const path = join(dir, `IMG_${String(at).padStart(5, '0')}.jpg`);
    const fd = openSync(path, 'w');
    writeSync(fd, Buffer.concat([base, randomBytes(16)]));
    ftruncateSync(fd, MB);
    closeSync(fd);
    paths.push(path);
  }
  return paths;
}

/**
 * Runs in the page before the app: counts IndexedDB reads, keeps the long tasks, and follows the
 * queue channel's notices (every context's item writes) to time the add, the preparing and the
 * uploads. `benchWatch.total` and `addStart` are set by the bench just before it adds. It also
 * stands in for the Battery Status API (as tests/e2e/backup-adding.test.ts does), so that "Upload
 * only while charging" can hold the uploads while everything is prepared, then let them go.
 */
const watchScript = (charging: boolean): string => `
  (() => {
    const battery = new EventTarget();
    let charging = ${charging};
    Object.defineProperty(battery, 'charging', { get: () => charging });
    Object.defineProperty(Navigator.prototype, 'getBattery', {
      configurable: true,
      value: () => Promise.resolve(battery),
    });
    window.setCharging = (next) => {
      charging = next;
      battery.dispatchEvent(new Event('chargingchange'));
    };
    const watch = {
      total: 0, addStart: 0, addedAt: null, preparedAt: null, firstDoneAt: null, doneAt: null,
      prepared: 0, done: 0, reads: 0, longTasks: [], ended: [],
    };
    window.benchWatch = watch;
    const counted = ['get', 'getAll', 'getAllKeys', 'getKey', 'count', 'openCursor', 'openKeyCursor'];
    for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype]) {
      for (const name of counted) {
        const original = proto[name];
        proto[name] = function (...args) { watch.reads += 1; return original.apply(this, args); };
      }
    }
    for (const name of ['continue', 'advance', 'continuePrimaryKey']) {
      const original = IDBCursor.prototype[name];
      IDBCursor.prototype[name] = function (...args) { watch.reads += 1; return original.apply(this, args); };
    }
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) watch.longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask' });
    const seen = new Set();
    const prepared = new Set();
    const done = new Set();
    new BroadcastChannel('shoebox-queue').onmessage = ({ data }) => {
      if (data.type !== 'items') return;
      const now = performance.now();
      for (const item of data.items) {
        seen.add(item.id);
        if (['ready', 'uploading', 'done'].includes(item.state)) prepared.add(item.id);
        if (item.state === 'done') done.add(item.id);
        if (['failed', 'blocked', 'skipped'].includes(item.state)) watch.ended.push(item.state);
      }
      watch.prepared = prepared.size;
      watch.done = done.size;
      if (watch.addedAt === null && seen.size >= watch.total) watch.addedAt = now;
      if (watch.preparedAt === null && prepared.size >= watch.total) watch.preparedAt = now;
      if (watch.firstDoneAt === null && done.size > 0) watch.firstDoneAt = now;
      if (watch.doneAt === null && done.size >= watch.total) watch.doneAt = now;
    };
  })();
`;

interface Watch {
  total: number;
  addStart: number;
  addedAt: number | null;
  preparedAt: number | null;
  firstDoneAt: number | null;
  doneAt: number | null;
  prepared: number;
  done: number;
  reads: number;
  longTasks: [number, number][];
  ended: string[];
}

const watched = (page: Page): Promise<Watch> =>
  page.evaluate(() => (window as unknown as { benchWatch: Watch }).benchWatch);

/** Polls the watch until `until` holds; throws when an item ended otherwise or time ran out. */
async function waitFor(page: Page, until: (watch: Watch) => boolean, timeoutMs: number): Promise<Watch> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const watch = await watched(page);
    if (watch.ended.length > 0) throw new Error(`Items ended ${watch.ended.slice(0, 5).join(', ')}`);
    if (until(watch)) return watch;
    if (Date.now() > deadline)
      throw new Error(`Not done in ${timeoutMs} ms: ${watch.prepared} prepared, ${watch.done} done`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Waits until the settings store holds "Upload only while charging" (the page writes it async). */
async function chargingOnlyStored(page: Page): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const stored = await page.evaluate(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const open = indexedDB.open('shoebox');
          open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
          open.onsuccess = () => {
            const request = open.result.transaction('settings').objectStore('settings').get('backup');
            request.onsuccess = () => {
              open.result.close();
              resolve((request.result as { chargingOnly?: boolean } | undefined)?.chargingOnly);
            };
            request.onerror = () => reject(request.error ?? new Error('get failed'));
          };
        }),
    );
    if (stored === true) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('"Upload only while charging" was not stored');
}

/**
 * A fresh server and a signed-in page with the watch and no service worker; `held`: on battery,
 * with "Upload only while charging" on, so that files are prepared and not sent. The profile is a
 * persistent one on disk, as an installed app's is: Chromium keeps a non-persistent (incognito)
 * context's IndexedDB in memory under a small quota, which 10,000 photos of 1 MB overflow (the
 * queue then holds them back as not stored, cause "storage").
 */
async function setUp(held: boolean): Promise<{ page: Page; stop: () => Promise<void> }> {
  const server = await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'shoebox-bench-queue-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROME_PATH,
    args: CHROME_ARGS,
    headless: true,
    serviceWorkers: 'block',
  });
  await context.addInitScript(watchScript(!held));
  await createOwnerThroughApi(context, server.url);
  const page = await context.newPage();
  // A crash of the page is a finding of the bench, not a protocol error to puzzle over.
  page.on('crash', () => console.log(`  THE PAGE CRASHED (load average ${load()})`));
  if (held) {
    await page.goto(`${server.url}/settings`);
    await page.getByLabel('Upload only while charging').check();
    await chargingOnlyStored(page);
  }
  await page.goto(`${server.url}/backup`);
  return {
    page,
    stop: async () => {
      await context.close();
      await server.stop();
      removeDir(server.dataDir);
      removeDir(profile);
    },
  };
}

async function add(page: Page, paths: string[]): Promise<void> {
  await page.evaluate((total) => {
    const watch = (window as unknown as { benchWatch: Watch }).benchWatch;
    watch.total = total;
    watch.addStart = performance.now();
  }, paths.length);
  // Handing 10,000 paths to the page takes Playwright longer than its default 30 s.
  await page.getByTestId('add-photos-input').setInputFiles(paths, { timeout: 600_000 });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function runCount(dir: string, count: number): Promise<void> {
  const paths = await generatedPhotos(dir, count);
  const timeoutMs = 60_000 + count * 500;
  console.log(`\n${count} photos of 1 MB; load average ${load()}`);

  // The pipeline: added online, prepared and uploaded at once.
  const pipeline = await setUp(false);
  let total: number;
  try {
    const { page } = pipeline;
    const cdp = await page.context().newCDPSession(page);
    let heapPeak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // Once the page is gone (a failed step below closes it), the step's error is the news.
        const usage = await cdp.send('Runtime.getHeapUsage').catch(() => null);
        if (usage === null) return;
        heapPeak = Math.max(heapPeak, usage.usedSize);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    await add(page, paths);
    const watch = await waitFor(page, (w) => w.doneAt !== null, timeoutMs);
    sampling = false;
    await sampler;
    const first = (watch.firstDoneAt ?? 0) - watch.addStart;
    total = (watch.doneAt ?? 0) - watch.addStart;
    const addedAt = watch.addedAt ?? watch.doneAt ?? 0;
    const longest = (until: number): number =>
      Math.max(0, ...watch.longTasks.filter(([start]) => start <= until).map(([, duration]) => duration));
    console.log(`  first photo on the server ${seconds(first)} after the add (target < 2 s)`);
    console.log(
      `  all ${count} backed up in ${seconds(total)}; every file in the queue after ${seconds(addedAt - watch.addStart)}`,
    );
    console.log(
      `  longest task in the page: ${longest(addedAt).toFixed(0)} ms while adding, ${longest(Infinity).toFixed(0)} ms over the run`,
    );
    console.log(`  IndexedDB reads in the page: ${(watch.reads / count).toFixed(2)} per uploaded photo`);
    console.log(`  peak JS heap of the page: ${(heapPeak / MB).toFixed(1)} MB`);
  } finally {
    await pipeline.stop();
  }

  // The stages alone: prepared while uploads wait for a charger, then uploaded once charging.
  const alone = await setUp(true);
  try {
    const { page } = alone;
    await add(page, paths);
    const prepared = await waitFor(page, (w) => w.preparedAt !== null, timeoutMs);
    const preparing = (prepared.preparedAt ?? 0) - prepared.addStart;
    const charging = await page.evaluate(() => {
      (window as unknown as { setCharging: (next: boolean) => void }).setCharging(true);
      return performance.now();
    });
    const done = await waitFor(page, (w) => w.doneAt !== null, timeoutMs);
    const uploading = (done.doneAt ?? 0) - charging;
    const slower = Math.max(preparing, uploading);
    console.log(
      `  preparing alone ${seconds(preparing)} (added on battery, uploads held), uploading alone ${seconds(uploading)} (then charging)`,
    );
    console.log(
      `  pipeline / slower stage: ${(total / slower).toFixed(2)} (target ≤ 1.2; their sum would be ${((preparing + uploading) / slower).toFixed(2)}); load average ${load()}`,
    );
  } finally {
    await alone.stop();
  }
}

export async function run(): Promise<void> {
  for (const count of COUNTS) {
    const dir = mkdtempSync(join(tmpdir(), 'shoebox-bench-queue-'));
    try {
      await runCount(dir, count);
    } finally {
      removeDir(dir);
    }
  }
}
