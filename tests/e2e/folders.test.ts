/**
 * Issue 5, "Folders to back up", end to end in Chromium with the real service worker and the
 * built server. The folder is a real FileSystemDirectoryHandle from the Origin Private File
 * System, handed to the app through `showDirectoryPicker` (the real picker needs a person): the
 * app keeps it in IndexedDB and scans it as it would a folder on disk; kept as an album, its
 * photos go into an album named after it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import {
  createOwnerThroughApi,
  launchChromium,
  libraryAssets,
  queueRecords,
  removeDir,
  signIn,
  startServer,
  waitForServiceWorker,
  type Browser,
  type BrowserContext,
  type Page,
  type RunningServer,
} from './harness';

const FOLDER = 'Camera';
/** localStorage key through which the test makes the handle's permission 'prompt'. */
const FORCED_PERMISSION = 'shoebox-test-permission';

/**
 * The directory picker answers with the OPFS folder "Camera"; `queryPermission` answers what the
 * test put under FORCED_PERMISSION, if anything, and `requestPermission` grants (as a user
 * clicking "Allow" would) and counts its calls.
 */
const FOLDER_PICKER = `
  (() => {
    window.showDirectoryPicker = async () =>
      (await navigator.storage.getDirectory()).getDirectoryHandle(${JSON.stringify(FOLDER)}, { create: true });
    const query = FileSystemHandle.prototype.queryPermission;
    FileSystemHandle.prototype.queryPermission = function (descriptor) {
      const forced = localStorage.getItem(${JSON.stringify(FORCED_PERMISSION)});
      if (forced !== null) return Promise.resolve(forced);
      return query ? query.call(this, descriptor) : Promise.resolve('granted');
    };
    FileSystemHandle.prototype.requestPermission = function () {
      localStorage.removeItem(${JSON.stringify(FORCED_PERMISSION)});
      localStorage.setItem('shoebox-test-permission-requests', String(Number(localStorage.getItem('shoebox-test-permission-requests') ?? 0) + 1));
      return Promise.resolve('granted');
    };
  })();
`;

const FIRST = [
  corpusFile('Canon_40D.jpg'),
  corpusFile('Samsung GT-I9000 (Galaxy S).jpg'),
  corpusFile('DSCN0010.jpg'),
];
const LATER = corpusFile('no_exif.jpg');
const WHILE_PROMPTED = corpusFile('Portrait_4.jpg');

let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  const setup = await browser.newContext();
  await createOwnerThroughApi(setup, server.url);
  await setup.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server !== undefined) removeDir(server.dataDir);
});

/** Writes `bytes` to `path` ("2024/a.jpg") inside the OPFS folder the picker returns. */
async function writeIntoFolder(page: Page, path: string, bytes: Buffer): Promise<void> {
  await page.evaluate(
    async ({ folder, path, base64 }) => {
      let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(folder, { create: true });
      const names = path.split('/');
      const name = names.pop() ?? path;
      for (const part of names) dir = await dir.getDirectoryHandle(part, { create: true });
      const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await writable.write(Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)));
      await writable.close();
    },
    { folder: FOLDER, path, base64: bytes.toString('base64') },
  );
}

const bytesOf = (file: { path: string }): Buffer => readFileSync(file.path);
const folderStatus = (page: Page): Promise<string> => page.getByTestId('folder-status').innerText();

async function waitForSourceHashes(context: BrowserContext, expected: string[]): Promise<void> {
  await expect
    .poll(async () => (await libraryAssets(context, server.url)).map((asset) => asset.sourceSha256).sort(), {
      timeout: 60_000,
      interval: 500,
    })
    .toEqual([...expected].sort());
}

/** The source hashes of the photos in the caller's album named `name` (issue 16). */
async function albumSourceHashes(context: BrowserContext, name: string): Promise<string[]> {
  const { albums } = (await (await context.request.get(`${server.url}/api/albums`)).json()) as {
    albums: { id: string; name: string }[];
  };
  const album = albums.find((each) => each.name === name);
  if (album === undefined) return [];
  const listing = (await (
    await context.request.get(`${server.url}/api/albums/${album.id}/assets`)
  ).json()) as {
    items: { sourceSha256: string }[];
  };
  return listing.items.map((item) => item.sourceSha256).sort();
}

describe('folders to back up', () => {
  it('queues a folder’s photos once, rescans on open and on "Scan now", skips copies, and asks for access again', async () => {
    const context = await browser.newContext();
    try {
      await context.addInitScript(FOLDER_PICKER);
      await signIn(context, server.url);
      const page = await context.newPage();
      await page.goto(`${server.url}/backup`);
      await waitForServiceWorker(page);

      // Two photos at the top, one in a subfolder, and what a scan must leave alone.
      await writeIntoFolder(page, FIRST[0]!.filename, bytesOf(FIRST[0]!));
      await writeIntoFolder(page, FIRST[1]!.filename, bytesOf(FIRST[1]!));
      await writeIntoFolder(page, `2024/${FIRST[2]!.filename}`, bytesOf(FIRST[2]!));
      await writeIntoFolder(page, '.thumbnails/thumb.jpg', bytesOf(FIRST[0]!));
      await writeIntoFolder(page, 'notes.txt', Buffer.from('not a photo'));

      // Kept as an album too (issue 16): what the folder brings, now and later, goes into it.
      await page.getByRole('button', { name: 'Keep a folder backed up' }).click();
      const dialog = page.getByTestId('folder-dialog');
      await dialog.getByRole('checkbox', { name: `Also make an album named “${FOLDER}”` }).check();
      await dialog.getByRole('button', { name: 'Back up' }).click();
      await expect.poll(() => folderStatus(page), { timeout: 30_000 }).toBe('Found 3 files, 3 new, queued');
      await waitForSourceHashes(
        context,
        FIRST.map((file) => file.sha256),
      );
      expect(await queueRecords(page)).toHaveLength(3);

      // Opening the app again rescans the folder: nothing new.
      await page.reload();
      await expect.poll(() => folderStatus(page), { timeout: 30_000 }).toBe('Found 3 files, nothing new');
      expect(await queueRecords(page)).toHaveLength(3);

      // A new photo is picked up by "Scan now"; the others are not queued again.
      await writeIntoFolder(page, LATER.filename, bytesOf(LATER));
      await page.getByRole('button', { name: 'Scan now' }).click();
      await expect.poll(() => folderStatus(page), { timeout: 30_000 }).toBe('Found 4 files, 1 new, queued');
      const records = await queueRecords(page);
      expect(records.map((record) => record.name).sort()).toEqual(
        [...FIRST, LATER].map((file) => file.filename).sort(),
      );
      await waitForSourceHashes(
        context,
        [...FIRST, LATER].map((file) => file.sha256),
      );
      expect(await albumSourceHashes(context, FOLDER)).toEqual(
        [...FIRST, LATER].map((file) => file.sha256).sort(),
      );

      // A copy under another name (new path and date, same bytes) is recognised by its SHA-256.
      await writeIntoFolder(page, 'Copy of Canon_40D.jpg', bytesOf(FIRST[0]!));
      await page.getByRole('button', { name: 'Scan now' }).click();
      await expect
        .poll(() => folderStatus(page), { timeout: 30_000 })
        .toBe('Found 5 files, nothing new; 1 file already backed up under another name');
      expect(await queueRecords(page)).toHaveLength(4);

      // Settings lists the folder with what its last scan found and queued.
      await page.getByRole('link', { name: 'Settings' }).click();
      const row = page.getByTestId('settings-folder');
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.getByRole('rowheader').innerText()).toBe(FOLDER);
      expect(await row.getByTestId('folder-found').innerText()).toBe('5');
      expect(await row.getByTestId('folder-queued').innerText()).toBe('0');
      // This device's storage, as navigator.storage reports it to the page.
      const storage = await page.evaluate(async () => ({
        persisted: await navigator.storage.persisted(),
        usage: (await navigator.storage.estimate()).usage ?? 0,
      }));
      await expect
        .poll(() => page.getByTestId('device-storage').innerText())
        .toMatch(
          /^Shoebox uses \d[\d.]* (bytes|KB|MB|GB) on this device; \d[\d.]* (bytes|KB|MB|GB|TB) more is available to it\./,
        );
      expect(storage.usage).toBeGreaterThan(0);
      expect(await page.getByTestId('device-storage').innerText()).toContain(
        storage.persisted ? 'Storage is persistent' : 'Storage is not persistent',
      );

      // Access lost: the open-time scan queues nothing and the folder offers "Allow access again".
      await page.evaluate((key) => localStorage.setItem(key, 'prompt'), FORCED_PERMISSION);
      await writeIntoFolder(page, WHILE_PROMPTED.filename, bytesOf(WHILE_PROMPTED));
      await page.goto(`${server.url}/backup`);
      const allow = page.getByRole('button', { name: 'Allow access again' });
      await allow.waitFor();
      // The button comes with the permission's state; the line below, once the open-time scan ends.
      await expect
        .poll(() => folderStatus(page), { timeout: 15_000 })
        .toBe('Shoebox needs your permission to read this folder again.');
      expect(await page.getByRole('button', { name: 'Scan now' }).count()).toBe(0);
      expect(await queueRecords(page)).toHaveLength(4);
      await allow.click();
      await expect.poll(() => folderStatus(page), { timeout: 30_000 }).toBe('Found 6 files, 1 new, queued');
      expect(await page.evaluate(() => localStorage.getItem('shoebox-test-permission-requests'))).toBe('1');
      await waitForSourceHashes(
        context,
        [...FIRST, LATER, WHILE_PROMPTED].map((file) => file.sha256),
      );

      // Stopping keeps what was backed up and queued, and forgets the folder.
      await page.getByRole('button', { name: 'Stop backing up this folder' }).click();
      await expect.poll(() => page.getByTestId('backup-folder').count()).toBe(0);
      expect(await queueRecords(page)).toHaveLength(5);
      expect(await libraryAssets(context, server.url)).toHaveLength(5);
    } finally {
      await context.close();
    }
  });

  it('keeps only the folder input where the browser has no directory picker', async () => {
    const context = await browser.newContext();
    try {
      await context.addInitScript('delete window.showDirectoryPicker;');
      await signIn(context, server.url);
      const page = await context.newPage();
      await page.goto(`${server.url}/backup`);
      await page.getByTestId('add-folder-input').waitFor({ state: 'attached' });
      expect(await page.getByRole('button', { name: 'Add a folder once' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Keep a folder backed up' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
