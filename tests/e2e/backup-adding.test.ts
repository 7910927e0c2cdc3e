/**
 * Issue 3, adding, end to end in Chromium with the real service worker and the built server:
 * drag and drop onto the Backup screen, persistent storage asked for once per device, and
 * "Upload only while charging" with the Battery Status API reporting a battery; and (issue 15) the
 * Library's own Upload button and drop target.
 *
 * A DataTransfer built in a page can carry Files but not a directory (Chromium hands out
 * directory entries only for a real drop from the OS), so dropping a folder, the walk through
 * webkitGetAsEntry(), is tested at the unit level in src/app/droppedFiles.test.ts.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_FILE_REASON, UNKNOWN_TYPE_REASON } from '../../src/shared/limits';
import { CORPUS_DIR, corpusFile } from '../support/corpus';
import {
  dispatchSyncEvent,
  libraryAssets,
  perTestScope,
  queueRecords,
  rowsByState,
  waitForStoredSetting,
  type BrowserContext,
  type Page,
} from './harness';

/**
 * Counts navigator.storage.persist() calls across page loads (in localStorage, read lazily: the
 * script also runs in about:blank, which has no storage) and answers as a browser that denies it.
 */
const PERSIST_SPY = `
  (() => {
    StorageManager.prototype.persisted = () => Promise.resolve(false);
    StorageManager.prototype.persist = () => {
      localStorage.setItem('persistCalls', String(Number(localStorage.getItem('persistCalls') ?? '0') + 1));
      return Promise.resolve(false);
    };
  })();
`;

/** A battery that is discharging until the test calls setCharging(true), as on a laptop unplugged. */
const REPORTED_BATTERY = `
  (() => {
    const battery = new EventTarget();
    let charging = false;
    Object.defineProperty(battery, 'charging', { get: () => charging });
    Object.defineProperty(Navigator.prototype, 'getBattery', {
      configurable: true,
      value: () => Promise.resolve(battery),
    });
    window.setCharging = (next) => {
      charging = next;
      battery.dispatchEvent(new Event('chargingchange'));
    };
  })();
`;

/**
 * Keeps every title the status card shows from the moment the page starts, in `window.statusSaid`
 * (a MutationObserver sees each text Vue writes, painted or not).
 */
const STATUS_RECORDER = `
  (() => {
    const said = [];
    window.statusSaid = said;
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="status"]')?.textContent?.trim();
      if (text !== undefined && said[said.length - 1] !== text) said.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  })();
`;

const scope = perTestScope();

async function waitForAssets(context: BrowserContext, url: string, count: number): Promise<string[]> {
  await expect
    .poll(async () => (await libraryAssets(context, url)).length, { timeout: 30_000, interval: 300 })
    .toBe(count);
  return (await libraryAssets(context, url)).map((asset) => asset.sha256).sort();
}

const statusOf = (page: Page): Promise<string> => page.getByTestId('status').innerText();

/** The `persistence` record of the queue's settings store (src/queue/schema.ts). */
function storedPersistence(page: Page): Promise<unknown> {
  return page.evaluate(
    () =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open('shoebox');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const request = open.result.transaction('settings').objectStore('settings').get('persistence');
          request.onsuccess = () => {
            resolve(request.result);
            open.result.close();
          };
          request.onerror = () => reject(request.error ?? new Error('settings read failed'));
        };
      }),
  );
}

const persistCalls = (page: Page): Promise<number> =>
  page.evaluate(() => Number(localStorage.getItem('persistCalls') ?? '0'));

describe('adding to the backup', () => {
  it('queues and uploads files dropped onto the Backup screen, and names the ones it skipped', async () => {
    const { server, context, page } = await scope.setUp({ initScript: STATUS_RECORDER });
    // A new account's card never said "Backup complete" on the way to "Nothing backed up yet".
    await expect.poll(() => statusOf(page)).toBe('Nothing backed up yet');
    expect(await page.evaluate(() => (window as unknown as { statusSaid: string[] }).statusSaid)).toEqual([
      'Checking your backup…',
      'Nothing backed up yet',
    ]);
    const files = ['Canon_40D.jpg', 'beach.jpg', 'fixture.gif'].map(corpusFile);
    // Two traps: an empty file and a text file, both skipped with their reasons.
    const traps = [corpusFile('zero-byte.jpg').path, join(CORPUS_DIR, 'README.md')];
    const payload = [...files.map((file) => file.path), ...traps].map((path) => ({
      name: basename(path),
      base64: readFileSync(path).toString('base64'),
    }));
    // Built in the page, as the browser builds it for a drop from the desktop.
    const dataTransfer = await page.evaluateHandle((list) => {
      const transfer = new DataTransfer();
      for (const { name, base64 } of list) {
        const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
        transfer.items.add(new File([bytes], name, { lastModified: Date.UTC(2020, 0, 2) }));
      }
      return transfer;
    }, payload);

    const zone = page.getByTestId('drop-zone');
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await expect.poll(() => zone.getAttribute('class')).toContain('backup--dragging');
    await zone.dispatchEvent('drop', { dataTransfer });
    await expect.poll(() => zone.getAttribute('class')).not.toContain('backup--dragging');

    await expect.poll(() => page.getByTestId('queue-item').count(), { timeout: 15_000 }).toBe(5);
    expect((await queueRecords(page)).map((item) => item.name).sort()).toEqual(
      payload.map((file) => file.name).sort(),
    );
    expect(await waitForAssets(context, server.url, 3)).toEqual(files.map((file) => file.sha256).sort());
    await expect.poll(() => statusOf(page)).toBe('Backup complete');

    // The card says what was skipped and names each file, with a link to its row and reason.
    await expect.poll(() => rowsByState(page), { timeout: 15_000 }).toEqual({ done: 3, skipped: 2 });
    expect(await page.getByTestId('status-live').innerText()).toContain('A photo or video was skipped (2)');
    const names = page.getByTestId('skipped-names');
    expect((await names.getByRole('link').allInnerTexts()).sort()).toEqual(['README.md', 'zero-byte.jpg']);
    await page.setViewportSize({ width: 390, height: 300 });
    await names.getByRole('link', { name: 'README.md' }).click();
    const row = page.locator('[data-testid="queue-item"][data-name="README.md"]');
    await expect.poll(() => row.evaluate((node) => node === document.activeElement)).toBe(true);
    const box = await row.boundingBox();
    expect(box !== null && box.y >= 0 && box.y + box.height <= 300).toBe(true);
    expect(await row.innerText()).toContain(UNKNOWN_TYPE_REASON);
    await names.getByRole('link', { name: 'zero-byte.jpg' }).click();
    await expect.poll(() => page.locator(':focus').getAttribute('data-name')).toBe('zero-byte.jpg');
    expect(await page.locator(':focus').innerText()).toContain(EMPTY_FILE_REASON);
  });

  it('backs up files picked with Upload or dropped on the Library, which then shows them', async () => {
    const { server, context, page } = await scope.setUp();
    await page.getByRole('link', { name: 'Library', exact: true }).click();
    await page.getByTestId('library-drop-zone').waitFor();
    const [picked, dropped] = ['Canon_40D.jpg', 'beach.jpg'].map(corpusFile);
    if (picked === undefined || dropped === undefined) throw new Error('corpus');

    await page.getByTestId('add-photos-input').setInputFiles(picked.path);
    expect(await waitForAssets(context, server.url, 1)).toEqual([picked.sha256]);

    const dataTransfer = await page.evaluateHandle(
      ({ name, base64 }) => {
        const transfer = new DataTransfer();
        const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
        transfer.items.add(new File([bytes], name));
        return transfer;
      },
      { name: dropped.filename, base64: readFileSync(dropped.path).toString('base64') },
    );
    const zone = page.getByTestId('library-drop-zone');
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await zone.dispatchEvent('drop', { dataTransfer });
    expect(await waitForAssets(context, server.url, 2)).toEqual([picked.sha256, dropped.sha256].sort());
    // The timeline takes in what the drain backed up, without a reload.
    await expect.poll(() => page.getByTestId('asset').count(), { timeout: 15_000 }).toBe(2);
  });

  it('asks for persistent storage on the first add only, and says nothing when it is denied', async () => {
    const { page } = await scope.setUp({ initScript: PERSIST_SPY });
    const [first, second, third] = ['Canon_40D.jpg', 'beach.jpg', 'DSCN0010.jpg'].map(corpusFile);
    if (first === undefined || second === undefined || third === undefined) throw new Error('corpus');
    // Opening the app asks nothing.
    expect(await persistCalls(page)).toBe(0);
    expect(await storedPersistence(page)).toBeUndefined();

    await page.getByTestId('add-photos-input').setInputFiles(first.path);
    await expect.poll(() => persistCalls(page), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => storedPersistence(page)).toMatchObject({ granted: false });
    await expect.poll(() => page.getByTestId('queue-item').count(), { timeout: 15_000 }).toBe(1);

    await page.getByTestId('add-photos-input').setInputFiles(second.path);
    await expect.poll(() => page.getByTestId('queue-item').count(), { timeout: 15_000 }).toBe(2);
    await page.reload();
    await page.getByTestId('add-photos-input').setInputFiles(third.path);
    await expect.poll(() => page.getByTestId('queue-item').count(), { timeout: 15_000 }).toBe(3);
    // The check runs beside the add (one settings read); a second request would have been made
    // well within this grace.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await persistCalls(page)).toBe(1);
    // A denial is the browser's answer, not a problem to show.
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('waits to charge while on battery when "Upload only while charging" is on, and uploads once charging', async () => {
    const { server, context, page } = await scope.setUp({ initScript: REPORTED_BATTERY });
    expect(
      await page.evaluate(
        async () =>
          (await (navigator as { getBattery?: () => Promise<{ charging: boolean }> }).getBattery?.())
            ?.charging,
      ),
    ).toBe(false);

    await page.goto(`${server.url}/settings`);
    await page.getByLabel('Upload only while charging').check();
    await waitForStoredSetting(page, 'chargingOnly', true);
    await page.goto(`${server.url}/backup`);
    const files = ['Canon_40D.jpg', 'beach.jpg', 'DSCN0010.jpg'].map(corpusFile);
    await page.getByTestId('add-photos-input').setInputFiles(files.map((file) => file.path));
    await expect.poll(() => statusOf(page), { timeout: 15_000 }).toBe('Waiting to charge');
    // The page's drain has prepared them and stopped short of uploading.
    await expect.poll(() => rowsByState(page), { timeout: 30_000 }).toEqual({ ready: 3 });
    // The service worker's drain holds too: it reads the battery the page saw.
    await dispatchSyncEvent(page, server.url);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await libraryAssets(context, server.url)).toHaveLength(0);
    expect(await rowsByState(page)).toEqual({ ready: 3 });
    expect(await statusOf(page)).toBe('Waiting to charge');

    await page.evaluate(() =>
      (window as unknown as { setCharging: (next: boolean) => void }).setCharging(true),
    );
    expect(await waitForAssets(context, server.url, 3)).toEqual(files.map((file) => file.sha256).sort());
    await expect.poll(() => statusOf(page)).toBe('Backup complete');
  });
});
