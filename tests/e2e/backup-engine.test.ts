/**
 * Issue 3 end to end, in Chromium with the real service worker and the built server: offline
 * queueing, Background Sync (Chromium's own and DevTools-dispatched), no page open, a server killed
 * mid-upload, duplicates, no Background Sync at all, and Wi-Fi only.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import {
  dispatchSyncEvent,
  libraryAssets,
  perTestScope,
  queueRecords,
  removeDir,
  rowsByState,
  signIn,
  startServer,
  throttleUpload,
  waitForServiceWorker,
  waitForStoredSetting,
  waitForSyncRegistration,
  type BrowserContext,
  type Page,
} from './harness';

const TEN = [
  'Landscape_1.jpg',
  'Portrait_2.jpg',
  'Canon_40D.jpg',
  'DSCN0010.jpg',
  'no_exif.jpg',
  'Samsung GT-I9000 (Galaxy S).jpg',
  'Photo (1).webp',
  'fixture.gif',
  'with-gps.mp4',
  'sample.3gp',
].map(corpusFile);

/** Removes Background Sync from a page, as in Firefox and Safari. */
const WITHOUT_BACKGROUND_SYNC = `
  delete ServiceWorkerRegistration.prototype.sync;
  delete window.SyncManager;
`;

/** A NetworkInformation that reports 'cellular' until the test calls setConnectionType('wifi'). */
const REPORTED_CONNECTION = `
  (() => {
    const connection = new EventTarget();
    let type = 'cellular';
    Object.defineProperty(connection, 'type', { get: () => type });
    Object.defineProperty(Navigator.prototype, 'connection', { configurable: true, get: () => connection });
    window.setConnectionType = (next) => {
      type = next;
      connection.dispatchEvent(new Event('change'));
    };
  })();
`;

const scope = perTestScope();

async function closePages(context: BrowserContext): Promise<void> {
  for (const page of context.pages()) await page.close({ runBeforeUnload: false });
}

async function waitForAssets(
  context: BrowserContext,
  url: string,
  count: number,
  timeout = 60_000,
): Promise<string[]> {
  await expect
    .poll(async () => (await libraryAssets(context, url)).length, { timeout, interval: 500 })
    .toBe(count);
  return (await libraryAssets(context, url)).map((asset) => asset.sha256).sort();
}

const statusOf = (page: Page): Promise<string> => page.getByTestId('status').innerText();

/** A real JPEG followed by padding (decoders stop at EOI) to `mb` MiB, in a folder the test removes. */
function largeJpeg(mb: number): { path: string; bytes: Buffer; sha256: string } {
  const base = readFileSync(corpusFile('IMG_20180725_163423.jpg').path);
  const bytes = Buffer.concat([base, Buffer.alloc(mb * 1024 * 1024 - base.length, mb % 251)]);
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-large-'));
  scope.defer(() => removeDir(dir));
  const path = join(dir, `large-${mb}.jpg`);
  writeFileSync(path, bytes);
  return { path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

describe('backup engine', () => {
  it('1. queues offline, survives reloads and closed pages, and uploads through Background Sync', async () => {
    // Part A: pages without Background Sync, so only the DevTools-dispatched `sync` event sends.
    const { server, context, page } = await scope.setUp({ initScript: WITHOUT_BACKGROUND_SYNC });
    const first = TEN.slice(0, 5);
    const second = TEN.slice(5);

    await context.setOffline(true);
    await page.getByTestId('add-photos-input').setInputFiles(first.map((file) => file.path));
    await expect.poll(() => page.getByTestId('queue-item').count(), { timeout: 30_000 }).toBe(5);
    await expect.poll(() => statusOf(page)).toBe('Waiting for connection');

    await page.reload();
    await expect.poll(() => page.getByTestId('queue-item').count(), { timeout: 30_000 }).toBe(5);
    await expect.poll(() => statusOf(page)).toBe('Waiting for connection');
    await closePages(context);

    await context.setOffline(false);
    // No page and no sync registration: nothing moves.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await libraryAssets(context, server.url)).toHaveLength(0);
    const blank = await context.newPage();
    await dispatchSyncEvent(blank, server.url);
    await waitForAssets(context, server.url, 5);
    await blank.close();

    // Part B, same account on another browser profile: Chromium fires the sync on reconnect.
    const other = await scope.browser.newContext();
    scope.defer(() => other.close());
    await signIn(other, server.url);
    const page2 = await other.newPage();
    await page2.goto(`${server.url}/backup`);
    await waitForServiceWorker(page2);
    await other.setOffline(true);
    await page2.getByTestId('add-photos-input').setInputFiles(second.map((file) => file.path));
    await expect.poll(() => page2.getByTestId('queue-item').count(), { timeout: 30_000 }).toBe(5);
    await expect.poll(() => statusOf(page2)).toBe('Waiting for connection');
    await waitForSyncRegistration(page2);
    await page2.reload();
    await expect.poll(() => page2.getByTestId('queue-item').count(), { timeout: 30_000 }).toBe(5);
    await closePages(other);
    await other.setOffline(false);

    const hashes = await waitForAssets(context, server.url, TEN.length, 90_000);
    expect(hashes).toEqual(TEN.map((file) => file.sha256).sort());
  });

  it('2. finishes the uploads with no page open', async () => {
    const { server, context, page } = await scope.setUp();
    const files = TEN.slice(0, 3);
    await context.setOffline(true);
    await page.getByTestId('add-photos-input').setInputFiles(files.map((file) => file.path));
    await expect.poll(() => page.getByTestId('queue-item').count(), { timeout: 30_000 }).toBe(3);
    await waitForSyncRegistration(page);
    await closePages(context);
    await context.setOffline(false);
    const hashes = await waitForAssets(context, server.url, 3, 90_000);
    expect(hashes).toEqual(files.map((file) => file.sha256).sort());
  });

  it('3. resumes from the server offset after the server is killed mid-upload', async () => {
    const { server, context, page } = await scope.setUp({ initScript: WITHOUT_BACKGROUND_SYNC });
    // ~40 MB: five 8 MiB chunks.
    const { path, bytes, sha256 } = largeJpeg(40);

    // Slow enough (16 MB/s) to be caught between chunks.
    await throttleUpload(context, page, 16 * 1024 * 1024);
    const patchOffsets: number[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patchOffsets.push(Number(request.headers()['upload-offset']));
    });

    await page.getByTestId('add-photos-input').setInputFiles(path);
    await expect
      .poll(async () => (await queueRecords(page))[0]?.upload?.offset ?? 0, {
        timeout: 60_000,
        interval: 100,
      })
      .toBeGreaterThan(0);
    await server.stop('SIGKILL');
    const killedAt = patchOffsets.length;

    const restarted = await startServer({ dataDir: server.dataDir, port: server.port });
    scope.defer(() => restarted.stop());
    await expect
      .poll(async () => (await queueRecords(page))[0]?.state, { timeout: 90_000, interval: 500 })
      .toBe('done');

    const resumedFrom = patchOffsets.slice(killedAt).filter((offset) => offset > 0);
    expect(resumedFrom.length).toBeGreaterThan(0);
    // Bytes sent after the restart: from the first offset the server reported, never from 0.
    expect(patchOffsets.slice(killedAt)).not.toContain(0);
    expect(bytes.length - Math.min(...resumedFrom)).toBeLessThan(bytes.length);
    const assets = await libraryAssets(context, restarted.url);
    expect(assets.map((asset) => asset.sha256)).toEqual([sha256]);
  });

  it('4. never makes a second asset for duplicates', async () => {
    const { server, context, page } = await scope.setUp();
    const five = TEN.slice(0, 5);
    const pair = [corpusFile('Canon IXUS.jpg'), corpusFile('canon-ixus.jpg')];
    await page.getByTestId('add-photos-input').setInputFiles([...pair, ...five].map((file) => file.path));
    await expect
      .poll(async () => (await rowsByState(page)).done ?? 0, { timeout: 60_000, interval: 500 })
      .toBe(7);
    await page.getByTestId('add-photos-input').setInputFiles(five.map((file) => file.path));
    await expect
      .poll(async () => (await rowsByState(page)).done ?? 0, { timeout: 60_000, interval: 500 })
      .toBe(12);

    expect(await libraryAssets(context, server.url)).toHaveLength(6);
    const already = await page
      .getByTestId('queue-item')
      .filter({ hasText: 'Already backed up' })
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-name')));
    // The later copy of each of the five, and one of the pair.
    expect(already).toHaveLength(6);
    expect(already.filter((name) => name === 'Canon IXUS.jpg' || name === 'canon-ixus.jpg')).toHaveLength(1);
  });

  it('7. completes uploads with a page open where Background Sync does not exist', async () => {
    const { server, context, page } = await scope.setUp({ initScript: WITHOUT_BACKGROUND_SYNC });
    expect(await page.evaluate(() => 'SyncManager' in window)).toBe(false);
    const tusRequests: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/uploads')) tusRequests.push(request.method());
    });
    const files = TEN.slice(0, 4);
    await context.setOffline(true);
    await page.getByTestId('add-photos-input').setInputFiles(files.slice(0, 2).map((file) => file.path));
    await expect.poll(() => statusOf(page)).toBe('Waiting for connection');
    await context.setOffline(false);
    await page.getByTestId('add-photos-input').setInputFiles(files.slice(2).map((file) => file.path));
    const hashes = await waitForAssets(context, server.url, 4);
    expect(hashes).toEqual(files.map((file) => file.sha256).sort());
    await expect.poll(() => statusOf(page)).toBe('Backup complete');
    // Each photo, under one chunk, went in the one request that created its upload.
    expect(tusRequests).toEqual(['POST', 'POST', 'POST', 'POST']);
  });

  it('8. waits for Wi-Fi on a cellular connection when Wi-Fi only is on', async () => {
    // Desktop Chromium exposes no NetworkInformation.type (and DevTools' connectionType emulation
    // does not set it), so the page is given a connection that reports itself, as on Android.
    const { server, context, page } = await scope.setUp({ initScript: REPORTED_CONNECTION });
    expect(
      await page.evaluate(() => (navigator as { connection?: { type?: string } }).connection?.type),
    ).toBe('cellular');

    await page.goto(`${server.url}/settings`);
    await page.getByLabel('Upload only on Wi-Fi').check();
    await waitForStoredSetting(page, 'wifiOnly', true);
    await page.goto(`${server.url}/backup`);
    const files = TEN.slice(0, 3);
    await page.getByTestId('add-photos-input').setInputFiles(files.map((file) => file.path));
    await expect.poll(() => statusOf(page), { timeout: 15_000 }).toBe('Waiting for Wi-Fi');
    await expect.poll(() => page.getByTestId('queue-item').count(), { timeout: 15_000 }).toBe(3);
    // Long enough for the service worker's Background Sync, fired on enqueue, to have run.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await libraryAssets(context, server.url)).toHaveLength(0);
    expect(await rowsByState(page)).not.toHaveProperty('done');

    await page.evaluate(() =>
      (window as unknown as { setConnectionType: (type: string) => void }).setConnectionType('wifi'),
    );
    const hashes = await waitForAssets(context, server.url, 3);
    expect(hashes).toEqual(files.map((file) => file.sha256).sort());
    await expect.poll(() => statusOf(page)).toBe('Backup complete');
  });

  it('adds 1,000 files in batches with visible progress, the page staying responsive', async () => {
    const { server, page } = await scope.setUp();
    // Backup off: this is about adding; nothing is prepared or sent.
    await page.goto(`${server.url}/settings`);
    await page.getByLabel('Back up & sync').uncheck();
    await waitForStoredSetting(page, 'enabled', false);
    await page.goto(`${server.url}/backup`);
    await page.evaluate(() => {
      const seen = { longest: 0, adding: [] as string[], times: [] as number[] };
      (window as unknown as { seen: typeof seen }).seen = seen;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) seen.longest = Math.max(seen.longest, entry.duration);
      }).observe({ type: 'longtask' });
      new MutationObserver(() => {
        const text = /Adding [\d,]+ of [\d,]+/.exec(document.body.innerText)?.[0];
        if (text !== undefined && seen.adding.at(-1) !== text) {
          seen.adding.push(text);
          seen.times.push(performance.now());
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    // Files on disk, so Playwright hands Chromium paths instead of building 1,000 Files in the page.
    const dir = mkdtempSync(join(tmpdir(), 'shoebox-thousand-'));
    scope.defer(() => removeDir(dir));
    const files = Array.from({ length: 1_000 }, (_, i) => {
      const path = join(dir, `IMG_${String(i).padStart(4, '0')}.jpg`);
      writeFileSync(
        path,
        Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(1_020, i % 251)]),
      );
      return path;
    });
    await page.getByTestId('add-photos-input').setInputFiles(files);
    await expect.poll(async () => (await queueRecords(page)).length, { timeout: 60_000 }).toBe(1_000);
    // The list shows the newest hundred and offers the rest.
    await expect.poll(() => page.getByTestId('queue-item').count()).toBe(100);
    await expect(page.getByRole('button', { name: 'Show 100 more of 900' }).isVisible()).resolves.toBe(true);
    await expect.poll(() => statusOf(page)).toBe('Back up & sync is off');
    const seen = await page.evaluate(
      () => (window as unknown as { seen: { longest: number; adding: string[]; times: number[] } }).seen,
    );
    // The count moved in batches while the files were written ("Adding 340 of 1,000").
    expect(seen.adding.length).toBeGreaterThan(2);
    expect(seen.adding).toContain('Adding 500 of 1,000');
    // Responsive: no single task anywhere near the length of the whole add (an absolute bound
    // would measure the machine's load more than the app).
    const addMs = (seen.times.at(-1) ?? 0) - (seen.times[0] ?? 0);
    expect(seen.longest).toBeLessThan(addMs / 3);
  });
});
