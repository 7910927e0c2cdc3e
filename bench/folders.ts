/**
 * Issue 5 benchmark, "Folders to back up": a folder of many photos in the Origin Private File
 * System (real FileSystemDirectoryHandles, as in tests/e2e/folders.test.ts), added through the
 * Backup screen of the built app in Chromium. Prints how long the first scan takes to list and
 * queue every file, and how long the rescan every open of the app makes takes when nothing is
 * new, which is the cost a user pays each time. Backup is turned off first, so uploads do not
 * compete with the scans. `BENCH_FOLDER_FILES` sets the number of files (default 2,000).
 * Asserts nothing.
 */
import {
  createOwnerThroughApi,
  launchChromium,
  removeDir,
  startServer,
  waitForServiceWorker,
} from '../tests/e2e/harness.ts';

const FILES = Number(process.env.BENCH_FOLDER_FILES ?? 2_000);

const FOLDER_PICKER = `
  window.showDirectoryPicker = async () =>
    (await navigator.storage.getDirectory()).getDirectoryHandle('Camera', { create: true });
`;

export async function run(): Promise<void> {
  const server = await startServer();
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    await context.addInitScript(FOLDER_PICKER);
    await createOwnerThroughApi(context, server.url);
    const page = await context.newPage();
    await page.goto(`${server.url}/settings`);
    await waitForServiceWorker(page);
    const enabled = page.getByLabel('Back up & sync');
    await enabled.waitFor();
    await page.waitForFunction(
      () => !(document.querySelector('input[type=checkbox]') as HTMLInputElement).disabled,
    );
    await enabled.uncheck();
    await page.waitForTimeout(500);

    // Files of 2–4 KB with distinct bytes and sizes (photos rarely share a size; files of equal
    // size are hashed to tell copies apart), in folders of 500 like a camera's.
    await page.evaluate(async (count) => {
      const root = await (
        await navigator.storage.getDirectory()
      ).getDirectoryHandle('Camera', { create: true });
      for (let index = 0; index < count; index += 1) {
        const dir = await root.getDirectoryHandle(`DCIM${Math.floor(index / 500)}`, { create: true });
        const writable = await (
          await dir.getFileHandle(`IMG_${index}.jpg`, { create: true })
        ).createWritable();
        const bytes = new Uint8Array(2_000 + index);
        crypto.getRandomValues(bytes);
        await writable.write(bytes);
        await writable.close();
      }
    }, FILES);

    await page.goto(`${server.url}/backup`);
    const status = page.getByTestId('folder-status');
    await page.evaluate(() => {
      const marks: [number, string][] = [];
      (window as unknown as { marks: typeof marks }).marks = marks;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=folder-status]')?.textContent?.trim() ?? '';
        if (marks.at(-1)?.[1].split(/\d/)[0] !== text.split(/\d/)[0]) marks.push([performance.now(), text]);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    let started = Date.now();
    await page.getByRole('button', { name: 'Add a folder to back up' }).click();
    await status
      .filter({ hasText: `${FILES.toLocaleString('en-US')} new, queued` })
      .waitFor({ timeout: 600_000 });
    const first = Date.now() - started;
    const marks = await page.evaluate(() => (window as unknown as { marks: [number, string][] }).marks);
    const at = (prefix: string): number => marks.find(([, text]) => text.startsWith(prefix))?.[0] ?? NaN;
    const listing = at('Queueing') - at('Scanning');
    const queueing = at('Found') - at('Queueing');

    started = Date.now();
    await page.reload();
    await status.filter({ hasText: 'nothing new' }).waitFor({ timeout: 600_000 });
    const rescan = Date.now() - started;

    // "Scan now" is disabled while a scan runs; the status reads the same before and after.
    const scanButton = page.getByRole('button', { name: 'Scan now' });
    started = Date.now();
    await scanButton.click();
    await page.waitForFunction(() => {
      const button = [...document.querySelectorAll('button')].find(
        (each) => each.textContent?.trim() === 'Scan now',
      );
      return button !== undefined && !button.disabled;
    });
    const scanNow = Date.now() - started;

    console.log(`folder of ${FILES.toLocaleString('en-US')} files (2–4 KB each, in subfolders of 500):`);
    console.log(`  first scan, listing and queueing every file: ${(first / 1000).toFixed(1)} s`);
    console.log(
      `    of which listing and comparing ${(listing / 1000).toFixed(1)} s, queueing ${(queueing / 1000).toFixed(1)} s`,
    );
    console.log(
      `  open-time rescan after a reload (page load included), nothing new: ${(rescan / 1000).toFixed(1)} s`,
    );
    console.log(`  "Scan now", nothing new: ${(scanNow / 1000).toFixed(1)} s`);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
    removeDir(server.dataDir);
  }
}
