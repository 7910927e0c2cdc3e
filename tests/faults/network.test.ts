/**
 * Issue 18, the fault suite, browser and server end to end: the corpus and two multi-chunk files
 * go up from two tabs and the service worker through a loopback proxy that cuts connections, drops
 * answers and flips bytes, while the server is SIGKILLed at random moments and restarted, and the
 * pages are reloaded and closed mid-upload. Then: nothing lost, nothing duplicated, every stored
 * original's bytes hash to what was picked, no 5xx, and no partial upload left once expired.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { expect, it } from 'vitest';
import { removeStrayUploads } from '../../src/server/uploads/strays';
import { UNFINISHED_UPLOAD_KEEP_MS } from '../../src/server/uploads/tus-server';
import {
  createOwnerThroughApi,
  libraryAssets,
  perTestScope,
  queueRecords,
  removeDir,
  startServer,
  waitForServiceWorker,
  type BrowserContext,
  type Page,
  type RunningServer,
} from '../e2e/harness';
import { corpusFile, manifest } from '../support/corpus';
import { record, tally } from '../support/probe-table';
import { startFaultProxy } from './fault-proxy';

const MiB = 1024 * 1024;
const KILLS = 10;

const scope = perTestScope();

/** mulberry32: the run's faults follow from the seed it prints, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A real JPEG padded (decoders stop at EOI) to `mb` MiB: several 8 MiB chunks. */
function largeJpeg(dir: string, mb: number): { path: string; sha256: string; bytes: number } {
  const base = readFileSync(corpusFile('IMG_20180725_163423.jpg').path);
  const bytes = Buffer.concat([base, Buffer.alloc(mb * MiB - base.length, mb % 251)]);
  const path = join(dir, `large-${mb}.jpg`);
  writeFileSync(path, bytes);
  return { path, sha256: sha256(bytes), bytes: bytes.length };
}

async function openBackup(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/backup`);
  await waitForServiceWorker(page);
  return page;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

it('loses, duplicates and corrupts nothing through cuts, flipped bytes, kills, two tabs and reloads', async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const random = seeded(seed);
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-faults-'));
  scope.defer(() => removeDir(dir));
  const large = [largeJpeg(dir, 20), largeJpeg(dir, 17)];
  const files = [
    ...manifest().map((row) => ({ path: row.path, sha256: row.sha256, bytes: row.bytes })),
    ...large,
  ];
  const expected = new Set(files.filter((file) => file.bytes !== 0).map((file) => file.sha256));

  // Chunks of 8 MiB, so the large files go in three; the proxy slows uploads to ~6 MB/s so that
  // the kills and cuts land while there is work in flight.
  const env = { SHOEBOX_TUS_MAX_CHUNK_BYTES: String(8 * MiB) };
  let server: RunningServer = await startServer({ env });
  const { dataDir, port } = server;
  scope.defer(async () => {
    await server.stop();
    removeDir(dataDir);
  });
  const proxy = await startFaultProxy(
    port,
    { probability: 0.5, wanted: { cuts: 60, flips: 6 }, bytesPerSecond: 6 * MiB },
    random,
  );
  scope.defer(() => proxy.close());

  const context = await scope.browser.newContext();
  scope.defer(() => context.close());
  await createOwnerThroughApi(context, server.url);
  const first = await openBackup(context, proxy.url);
  const second = await openBackup(context, proxy.url);
  proxy.inject(true);

  await first.getByTestId('add-photos-input').setInputFiles(manifest().map((row) => row.path));
  await second.getByTestId('add-photos-input').setInputFiles(large.map((file) => file.path));

  const started = Date.now();
  let kills = 0;
  let reloads = 0;
  let closes = 0;
  const tabs = [first, second];
  const complete = async (): Promise<boolean> => {
    const stored = new Set((await libraryAssets(context, server.url)).map((asset) => asset.sha256));
    return [...expected].every((hash) => stored.has(hash));
  };
  // The chaos: a kill every 1.5–4 s until ten; after every other kill a tab is reloaded or closed
  // mid-upload, and a closed one opened again after the next.
  while (kills < KILLS) {
    await pause(1_500 + random() * 2_500);
    if (await complete()) break;
    await server.stop('SIGKILL');
    kills += 1;
    server = await startServer({ env, dataDir, port });
    if (tabs.length < 2) {
      tabs.push(await openBackup(context, proxy.url));
    } else if (kills % 2 === 0) {
      const tab = tabs[Math.floor(random() * tabs.length)] ?? first;
      if (random() < 0.5) {
        await tab.close({ runBeforeUnload: false });
        tabs.splice(tabs.indexOf(tab), 1);
        closes += 1;
      } else {
        await tab.reload();
        reloads += 1;
      }
    }
  }
  await expect.poll(complete, { timeout: 240_000, interval: 1_000 }).toBe(true);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);

  // What the queue says: everything done, or skipped for what it is (the empty file), never for a fault.
  const watcher = tabs[0] ?? (await openBackup(context, proxy.url));
  const unfinished = async (): Promise<number> =>
    (await queueRecords(watcher)).filter((item) => item.state !== 'done' && item.state !== 'skipped').length;
  await expect.poll(unfinished, { timeout: 60_000 }).toBe(0);
  const records = await queueRecords(watcher);
  const skipped = records.filter((item) => item.state === 'skipped').map((item) => item.name);

  const assets = await libraryAssets(context, server.url);
  const perHash = new Map<string, number>();
  for (const asset of assets) perHash.set(asset.sha256, (perHash.get(asset.sha256) ?? 0) + 1);
  const duplicated = [...perHash.values()].reduce((sum, count) => sum + count - 1, 0);
  const lost = [...expected].filter((hash) => !perHash.has(hash)).length;
  let wrongHash = 0;
  for (const asset of assets) {
    const response = await context.request.get(`${server.url}/api/assets/${asset.id}/original`);
    const stored = sha256(await response.body());
    if (stored !== asset.sha256 || !expected.has(stored)) wrongHash += 1;
  }

  // Partial uploads the faults left (an answer that never came back leaves its upload behind),
  // and what the server's hourly expiry (strays, then tus `expiration`) leaves of them a week on.
  await server.stop();
  const uploads = join(dataDir, 'uploads');
  const leftBefore = readdirSync(uploads).filter((name) => !name.endsWith('.json')).length;
  const store = new FileStore({
    directory: uploads,
    expirationPeriodInMilliseconds: UNFINISHED_UPLOAD_KEEP_MS,
  });
  const weekAgo = (ms: number): number => ms - UNFINISHED_UPLOAD_KEEP_MS - 60_000;
  for (const name of readdirSync(uploads)) {
    const file = join(uploads, name);
    const when = new Date(weekAgo(statSync(file).mtimeMs));
    utimesSync(file, when, when);
  }
  for (const id of (await store.configstore.list?.()) ?? []) {
    const info = await store.configstore.get(id);
    if (info?.creation_date === undefined) continue;
    info.creation_date = new Date(weekAgo(Date.parse(info.creation_date))).toISOString();
    await store.configstore.set(id, info);
  }
  await removeStrayUploads(uploads, new Date());
  await store.deleteExpired();
  const leftAfter = readdirSync(uploads);

  const { stats } = proxy;
  record({
    area: 'network faults',
    did: `seed ${seed}: ${files.length} files (${large.length} of 17–20 MiB in 8 MiB chunks) from 2 tabs and the service worker; ${stats.requests} requests, ${stats.cutRequests} cut mid-request, ${stats.cutAnswers} answers dropped, ${stats.flipped} bodies with a flipped bit; ${kills} SIGKILLs (${stats.refused} connections refused meanwhile), ${reloads} reloads, ${closes} tabs closed; ${seconds} s`,
    saw: `lost ${lost}, duplicated ${duplicated}, wrong hash ${wrongHash}, 5xx ${stats.serverErrors.length}, skipped ${skipped.join(', ') || 'none'}; partial uploads left ${leftBefore}, after expiry ${leftAfter.length}; server answers ${tally(stats.serverStatuses)}`,
    ok:
      lost === 0 &&
      duplicated === 0 &&
      wrongHash === 0 &&
      stats.serverErrors.length === 0 &&
      leftAfter.length === 0,
  });
  expect({ lost, duplicated, wrongHash, serverErrors: stats.serverErrors, leftAfter }).toEqual({
    lost: 0,
    duplicated: 0,
    wrongHash: 0,
    serverErrors: [],
    leftAfter: [],
  });
  expect(skipped).toEqual(['zero-byte.jpg']);
  expect(stats.cutRequests + stats.cutAnswers).toBeGreaterThanOrEqual(50);
  expect(stats.flipped).toBeGreaterThanOrEqual(5);
  expect(kills).toBe(KILLS);
});
