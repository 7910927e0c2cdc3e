/**
 * Issue 18, the fault suite: the server's disk fills up mid-backup and space comes back. The data
 * folder is a small filesystem the test makes (a tmpfs, so the suite runs as root, as .ci/run
 * does), filled to a few megabytes. Uploads that do not fit are answered 507 "Server storage
 * full"; the app keeps them and says so on the card and the rows (finding 11), the server goes on
 * serving the library, no retry leaves an empty upload behind, and once space is back everything
 * is stored, each exactly once, with the bytes picked.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  createOwnerThroughApi,
  libraryAssets,
  perTestScope,
  queueRecords,
  removeDir,
  startServer,
  waitForServiceWorker,
  type RunningServer,
} from '../e2e/harness';
import { connectDatabase } from '../../src/server/db';
import { testDatabaseLocation } from '../../src/server/db/testing';
import { corpusFile } from '../support/corpus';
import { record, tally } from '../support/probe-table';

const MiB = 1024 * 1024;
const FILES = [
  'Canon_40D.jpg',
  'DSCN0010.jpg',
  'Landscape_1.jpg',
  'Portrait_2.jpg',
  'no_exif.jpg',
  'HTC One.jpg',
  'Nexus 4.jpg',
  'canon-dslr.jpg',
  'iphone_hdr_YES.jpg',
  'IMG_20180725_163423.jpg',
].map(corpusFile);

const scope = perTestScope();

/** A filesystem of `mb` MiB at a new folder; unmounted after the test. */
function smallFilesystem(mb: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    removeDir(dir);
    throw new Error(
      `The disk-full test makes a small filesystem with mount -t tmpfs, which needs root (as in .ci/run): ${String(error)}`,
    );
  }
  scope.defer(() => {
    execFileSync('umount', [dir]);
    removeDir(dir);
  });
  return dir;
}

const freeBytes = (dir: string): number => {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
};

it('answers 507 when the disk is full, keeps serving and keeping the items, and stores them once space is back', async () => {
  const disk = smallFilesystem(96);
  const dataDir = join(disk, 'data');
  let server: RunningServer | null = await startServer({ dataDir });
  scope.defer(async () => {
    await server?.stop();
  });
  const context = await scope.browser.newContext();
  scope.defer(() => context.close());
  await createOwnerThroughApi(context, server.url);
  const statuses: number[] = [];
  const serverErrors: string[] = [];
  context.on('response', (response) => {
    if (!response.url().includes('/api/')) return;
    statuses.push(response.status());
    if (response.status() >= 500 && response.status() !== 507)
      serverErrors.push(
        `${response.request().method()} ${new URL(response.url()).pathname} → ${response.status()}`,
      );
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/backup`);
  await waitForServiceWorker(page);

  // One photo stored while there is room, for the reads below.
  await page.getByTestId('add-photos-input').setInputFiles(FILES[0]?.path ?? '');
  await expect
    .poll(async () => (await libraryAssets(context, server!.url)).length, { timeout: 60_000 })
    .toBe(1);

  // Fill the disk to 3 MiB short: the small photos fit, the larger ones do not.
  const filler = join(disk, 'filler');
  writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(disk) - 3 * MiB)));
  await page.getByTestId('add-photos-input').setInputFiles(FILES.slice(1).map((file) => file.path));
  await expect
    .poll(async () => (await queueRecords(page)).filter((item) => item.state === 'failed').length, {
      timeout: 60_000,
    })
    .toBeGreaterThan(0);
  const full = 'Server storage full. Shoebox will try again later.';
  // Once nothing moves: why, and when it tries again, in place of a time left.
  const waiting = new RegExp(`· ${full.replace(/\./g, '\\.')} Retrying in \\d+ min$`, 'm');
  let card = '';
  await expect
    .poll(async () => (card = await page.locator('.backup-status').innerText()), { timeout: 60_000 })
    .toMatch(waiting);
  // The rows say it too: each failed item's reason.
  await expect.poll(() => page.getByTestId('queue-item').getByText(full).count()).toBeGreaterThan(0);
  await page.screenshot({ path: join(tmpdir(), 'shoebox-disk-full.png') });

  // The library is still served: the list and an original.
  const stored = await libraryAssets(context, server.url);
  expect(stored.length).toBeGreaterThan(0);
  const original = await context.request.get(`${server.url}/api/assets/${stored[0]?.id ?? ''}/original`);
  expect(original.status()).toBe(200);
  // No retry leaves an upload behind (finding 11: each left an empty one).
  const uploads = join(dataDir, 'uploads');
  const partialWhileFull = readdirSync(uploads).length;

  // Space comes back; the user retries what waits (or Shoebox does, within 15 minutes).
  rmSync(filler);
  const retry = page.getByRole('button', { name: /^Retry/ });
  const expected = FILES.map((file) => file.sha256).sort();
  await expect
    .poll(
      async () => {
        // An item whose attempt was under way as space came back may fail once more: pressed again.
        await retry.evaluateAll((buttons) => {
          for (const button of buttons) (button as HTMLButtonElement).click();
        });
        return (await libraryAssets(context, server!.url)).map((asset) => asset.sha256).sort();
      },
      { timeout: 120_000, interval: 2_000 },
    )
    .toEqual(expected);
  const assets = await libraryAssets(context, server.url);
  let wrongHash = 0;
  for (const asset of assets) {
    const body = await (await context.request.get(`${server.url}/api/assets/${asset.id}/original`)).body();
    if (createHash('sha256').update(body).digest('hex') !== asset.sha256) wrongHash += 1;
  }
  await expect
    .poll(async () => (await queueRecords(page)).every((item) => item.state === 'done'), { timeout: 30_000 })
    .toBe(true);
  // Every background job (metadata, thumbnails) ends once there is room again, without a restart:
  // one whose outcome the full disk kept from being recorded is taken back when its lease runs out
  // (src/server/jobs/queue.ts); one whose failure was recorded waits for its retry, queued.
  const jobStates = async (): Promise<string[]> => {
    const { db } = connectDatabase(testDatabaseLocation('sqlite', dataDir));
    try {
      const rows = await db.selectFrom('jobs').select('state').where('asset_id', 'is not', null).execute();
      return rows.map((row) => row.state);
    } finally {
      await db.destroy();
    }
  };
  await expect
    .poll(async () => (await jobStates()).filter((state) => state === 'running').length, {
      timeout: 90_000,
      interval: 1_000,
    })
    .toBe(0);
  const jobs = await jobStates();
  const log = server.output();
  await server.stop();
  server = null;
  const partialAfter = readdirSync(uploads).length;

  record({
    area: 'disk full',
    did: `${FILES.length} photos (${(FILES.reduce((sum, file) => sum + file.bytes, 0) / MiB).toFixed(1)} MiB) onto a 96 MiB filesystem filled to 3 MiB short, then space freed and Retry pressed`,
    saw: `answers ${tally(statuses)}; card "${card.replace(/\s+/g, ' ').trim()}"; uploads left while full ${partialWhileFull}, after ${partialAfter}; stored ${assets.length}/${FILES.length}, wrong hash ${wrongHash}; jobs ${tally(jobs)}`,
    ok:
      statuses.includes(507) &&
      serverErrors.length === 0 &&
      wrongHash === 0 &&
      partialAfter === 0 &&
      jobs.every((state) => state === 'done' || state === 'queued'),
  });
  expect(statuses).toContain(507);
  expect(serverErrors, log).toEqual([]);
  expect(wrongHash).toBe(0);
  expect(assets).toHaveLength(FILES.length);
  expect(partialAfter).toBe(0);
  expect(jobs.filter((state) => state !== 'done' && state !== 'queued')).toEqual([]);
});
