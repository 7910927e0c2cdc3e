/**
 * Issue 18, the fault suite against the scale-out set-up: two server processes on one PostgreSQL
 * database and one S3 bucket behind a round-robin proxy (each upload's requests alternate between
 * them), with the fault proxy in front cutting connections, dropping answers and flipping bits,
 * while one process or the other is SIGKILLed and started again as the corpus and a multi-chunk
 * file go up from Chromium. Then: nothing lost, nothing duplicated, every original served with
 * the bytes picked, no 5xx, and nothing of an upload left in the bucket once expired.
 */
import { expect, it } from 'vitest';
import { TUS_ENDPOINT } from '../../src/shared/tus';
import { createOwnerThroughApi, perTestScope, queueRecords } from '../e2e/harness';
import { startTwoProcesses } from '../support/two-processes';
import { startFaultProxy } from './fault-proxy';
import {
  allStored,
  countLibrary,
  expectNothingLost,
  faultRun,
  openBackup,
  pause,
  unfinishedItems,
} from './fault-support';

const MiB = 1024 * 1024;
const KILLS = 6;

const scope = perTestScope();

it('loses, duplicates and corrupts nothing on two processes through cuts, flipped bytes and kills of either', async () => {
  const { seed, random, files, expected } = faultRun(scope, [17]);

  // Chunks of 8 MiB (each a whole S3 part), so the large file goes in three, on alternate processes.
  const two = await startTwoProcesses({ SHOEBOX_TUS_MAX_CHUNK_BYTES: String(8 * MiB) });
  scope.defer(() => two.close());
  const backend = two.proxy.url;
  // ~3 MB/s, so that the kills and cuts land while there is work in flight.
  const faults = await startFaultProxy(
    Number(new URL(backend).port),
    { probability: 0.5, wanted: { cuts: 30, flips: 3 }, bytesPerSecond: 3 * MiB },
    random,
  );
  scope.defer(() => faults.close());

  const context = await scope.browser.newContext();
  scope.defer(() => context.close());
  await createOwnerThroughApi(context, backend);
  const page = await openBackup(context, faults.url);
  faults.inject(true);
  await page.getByTestId('add-photos-input').setInputFiles(files.map((file) => file.path));

  const started = Date.now();
  const complete = (): Promise<boolean> => allStored(context, backend, expected);
  // A kill every 1–2.5 s, the two processes in turn; the other serves meanwhile.
  let kills = 0;
  while (kills < KILLS) {
    await pause(1_000 + random() * 1_500);
    if (await complete()) break;
    await two.kill(kills % 2);
    kills += 1;
  }
  await expect.poll(complete, { timeout: 180_000, interval: 1_000 }).toBe(true);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);

  await expect.poll(() => unfinishedItems(page), { timeout: 60_000 }).toBe(0);
  const skipped = (await queueRecords(page))
    .filter((item) => item.state === 'skipped')
    .map((item) => item.name);
  const { lost, duplicated, wrongHash } = await countLibrary(context, backend, expected);

  // Both processes took uploads: creations, and the large file's chunks in turn.
  const uploads = two.proxy.routed.filter((request) => request.url.startsWith(TUS_ENDPOINT));
  const perProcess = [0, 1].map((index) => uploads.filter((request) => request.backend === index).length);

  // Partial uploads the faults left in the bucket (objects and multipart uploads), and what the
  // expiry leaves of them.
  const leftBefore = await two.unfinishedInBucket();
  await two.expireUnfinished();
  const leftAfter = await two.unfinishedInBucket();

  const { stats } = faults;
  expectNothingLost(
    'network faults, 2 processes',
    `seed ${seed}: ${files.length} files (1 of 17 MiB in 8 MiB chunks) from a tab and the service worker to 2 processes on PostgreSQL + S3 behind round robin (upload requests ${perProcess.join(' / ')}); ${kills} SIGKILLs of either process (${stats.refused} connections cut with it); ${seconds} s`,
    { lost, duplicated, wrongHash, skipped, stats, leftBefore: leftBefore.length, leftAfter },
  );
  expect(stats.cutRequests + stats.cutAnswers).toBeGreaterThanOrEqual(30);
  expect(stats.flipped).toBeGreaterThanOrEqual(3);
  expect(kills).toBe(KILLS);
  expect(Math.min(...perProcess)).toBeGreaterThan(files.length / 4);
});
