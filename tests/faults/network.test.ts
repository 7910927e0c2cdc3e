/**
 * Issue 18, the fault suite, browser and server end to end: the corpus and two multi-chunk files
 * go up from two tabs and the service worker through a loopback proxy that cuts connections, drops
 * answers and flips bytes, while the server is SIGKILLed at random moments and restarted, and the
 * pages are reloaded and closed mid-upload. Then: nothing lost, nothing duplicated, every stored
 * original's bytes hash to what was picked, no 5xx, and no partial upload left once expired.
 */
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { expect, it } from 'vitest';
import { removeStrayUploads } from '../../src/server/uploads/strays';
import { UNFINISHED_UPLOAD_KEEP_MS } from '../../src/server/uploads/tus-server';
import {
  createOwnerThroughApi,
  perTestScope,
  queueRecords,
  removeDir,
  startServer,
  type RunningServer,
} from '../e2e/harness';
import { manifest } from '../support/corpus';
import {
  allStored,
  countLibrary,
  expectNothingLost,
  faultRun,
  openBackup,
  pause,
  unfinishedItems,
} from './fault-support';
import { startFaultProxy } from './fault-proxy';

const MiB = 1024 * 1024;
const KILLS = 10;

const scope = perTestScope();

it('loses, duplicates and corrupts nothing through cuts, flipped bytes, kills, two tabs and reloads', async () => {
  const { seed, random, large, files, expected } = faultRun(scope, [20, 17]);

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
  const complete = (): Promise<boolean> => allStored(context, server.url, expected);
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
  await expect.poll(() => unfinishedItems(watcher), { timeout: 60_000 }).toBe(0);
  const records = await queueRecords(watcher);
  const skipped = records.filter((item) => item.state === 'skipped').map((item) => item.name);

  const { lost, duplicated, wrongHash } = await countLibrary(context, server.url, expected);

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
  expectNothingLost(
    'network faults',
    `seed ${seed}: ${files.length} files (${large.length} of 17–20 MiB in 8 MiB chunks) from 2 tabs and the service worker; ${kills} SIGKILLs (${stats.refused} connections refused meanwhile), ${reloads} reloads, ${closes} tabs closed; ${seconds} s`,
    { lost, duplicated, wrongHash, skipped, stats, leftBefore, leftAfter },
  );
  expect(stats.cutRequests + stats.cutAnswers).toBeGreaterThanOrEqual(50);
  expect(stats.flipped).toBeGreaterThanOrEqual(5);
  expect(kills).toBe(KILLS);
});
