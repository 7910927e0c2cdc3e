/**
 * Issue 4 end to end: the corpus is backed up (through the API with node-side tus, to keep the
 * run short; the Backup screen's own path is covered by the foundation suite), and the Library
 * shows every asset once, newest capture first, under day headers; the viewer steps through with
 * the keyboard, plays the MP4 and shows the info panel; an asset goes to the trash and back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '../support/corpus';
import {
  closeSession,
  libraryAssets,
  openSession,
  type Browser,
  type BrowserContext,
  type LibraryAsset,
  type Page,
  type RunningServer,
} from './harness';

/** Every corpus file but the empty ones (refused at upload: nothing to back up). */
const FILES = manifest()
  .filter((row) => row.bytes > 0)
  .map((row) => row.filename);

/**
 * Scrolls the virtualised timeline from top to bottom and collects the tiles' ids and the day
 * headers in the order they are laid out (each once).
 */
async function scanTimeline(page: Page): Promise<{ ids: string[]; days: string[]; maxNodes: number }> {
  return page.evaluate(async () => {
    const ids: string[] = [];
    const days: string[] = [];
    let maxNodes = 0;
    const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const grid = document.querySelector('[data-testid="timeline"]');
    window.scrollTo(0, 0);
    for (let pass = 0; pass < 10_000; pass++) {
      await frame();
      await frame();
      // Pages load lazily: wait until no rendered slot is still a loading placeholder.
      for (let wait = 0; wait < 100 && document.querySelector('.timeline__loading') !== null; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      maxNodes = Math.max(maxNodes, grid?.querySelectorAll('*').length ?? 0);
      for (const node of document.querySelectorAll<HTMLElement>('[data-testid="asset"]')) {
        const id = node.dataset.id ?? '';
        if (!ids.includes(id)) ids.push(id);
      }
      for (const node of document.querySelectorAll<HTMLElement>('[data-testid="day-header"]')) {
        const day = node.dataset.day ?? '';
        if (!days.includes(day)) days.push(day);
      }
      const atBottom = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1;
      if (atBottom) break;
      window.scrollBy(0, window.innerHeight / 2);
    }
    return { ids, days, maxNodes };
  });
}

describe('library: timeline, viewer, trash', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let timeline: LibraryAsset[];

  beforeAll(async () => {
    ({ server, browser, context, page } = await openSession({
      context: { viewport: { width: 1280, height: 800 } },
      seed: FILES,
    }));
  });

  afterAll(() => closeSession({ server, browser, context }));

  it('lists every asset once, newest capture first, under its day header', async () => {
    timeline = await libraryAssets(context, server.url);
    // One asset per distinct file: the byte-identical Canon IXUS pair is one.
    const distinct = new Set(
      manifest()
        .filter((row) => row.bytes > 0)
        .map((row) => row.sha256),
    );
    expect(timeline).toHaveLength(distinct.size);
    const captured = timeline.map((asset) => asset.capturedAt);
    expect(captured).toEqual([...captured].sort().reverse());

    // /library with no asset in its address asks for no single asset's details.
    const failed: string[] = [];
    page.on('response', (response) => {
      if (/^\/api\/assets\/[^/]*$/.test(new URL(response.url()).pathname) && response.status() >= 400) {
        failed.push(`${response.status()} ${response.url()}`);
      }
    });
    await page.goto(`${server.url}/library`);
    await expect.poll(() => page.getByTestId('asset').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    expect(await page.getByTestId('library-missing').count()).toBe(0);
    const scan = await scanTimeline(page);
    expect(scan.ids).toEqual(timeline.map((asset) => asset.id));
    expect(scan.days).toEqual([...new Set(timeline.map((asset) => asset.capturedAt.slice(0, 10)))]);
    expect(scan.maxNodes).toBeLessThan(1_500);
    const header = page.getByTestId('day-header').first();
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect
      .poll(() => header.innerText())
      .toMatch(/^(Today|Yesterday|\w{3}, \d{1,2} \w{3}|\d{1,2} \w{3} \d{4})$/);
  });

  it('steps through the viewer with the keyboard and closes it with Esc', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const viewer = page.getByTestId('viewer');
    await page.getByTestId('asset').first().getByRole('button', { name: timeline[0]?.filename }).click();
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(timeline[0]?.id);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(timeline[1]?.id);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(timeline[2]?.id);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(timeline[1]?.id);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);
  });

  it('plays the MP4 and shows its info', async () => {
    const index = timeline.findIndex((asset) => asset.filename === 'with-gps.mp4');
    expect(index).toBeGreaterThanOrEqual(0);
    await page.getByTestId('asset').first().getByRole('button', { name: timeline[0]?.filename }).click();
    const viewer = page.getByTestId('viewer');
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(timeline[index]?.id);

    const video = page.getByTestId('viewer-video');
    await video.evaluate(async (node: HTMLVideoElement) => {
      node.muted = true;
      await node.play();
    });
    await expect
      .poll(
        () =>
          video.evaluate((node: HTMLVideoElement) => ({
            playing: node.readyState >= 2 || node.currentTime > 0,
            error: node.error?.message ?? null,
          })),
        { timeout: 15_000 },
      )
      .toEqual({ playing: true, error: null });

    await page.getByRole('button', { name: 'Info' }).click();
    const info = page.getByTestId('viewer-info');
    await expect.poll(() => info.innerText()).toContain('with-gps.mp4');
    await expect.poll(() => info.innerText()).toMatch(/Duration/);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);
  });

  it('moves an asset to the trash from the viewer and restores it from /trash', async () => {
    const victim = timeline[1];
    if (victim === undefined) throw new Error('the timeline is too short');
    await page.evaluate(() => window.scrollTo(0, 0));
    const tile = page.locator(`[data-testid="asset"][data-id="${victim.id}"]`);
    await tile.getByRole('button', { name: victim.filename }).click();
    const viewer = page.getByTestId('viewer');
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(victim.id);
    await viewer.getByRole('button', { name: 'Move to trash' }).click();
    // The viewer moves on to the next asset, and the snackbar offers an undo.
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(timeline[2]?.id);
    await expect.poll(() => page.getByTestId('snackbar').innerText()).toMatch(/Moved to trash\s*Undo/);
    await page.keyboard.press('Escape');
    await expect.poll(() => tile.count()).toBe(0);
    expect((await libraryAssets(context, server.url)).map((asset) => asset.id)).not.toContain(victim.id);

    await page.getByRole('link', { name: 'Trash' }).click();
    const trashed = page.locator(`[data-testid="trash-item"][data-id="${victim.id}"]`);
    await expect.poll(() => trashed.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('main').innerText()).toMatch(/deleted for good 30 days/);
    await page.getByRole('button', { name: `Restore ${victim.filename}` }).click();
    await expect.poll(() => trashed.count()).toBe(0);

    await page.getByRole('link', { name: 'Library' }).click();
    await expect.poll(() => tile.count(), { timeout: 15_000 }).toBe(1);
    const scan = await scanTimeline(page);
    expect(scan.ids).toEqual(timeline.map((asset) => asset.id));
  });

  it('multi-selects with shift-click, moves the selection to the trash, and undoes it', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const [first, , third] = timeline;
    if (first === undefined || third === undefined) throw new Error('the timeline is too short');
    await page.getByRole('checkbox', { name: `Select ${first.filename}` }).click();
    await page.getByRole('checkbox', { name: `Select ${third.filename}` }).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByTestId('selection-bar').innerText()).toContain('3 selected');
    await page.getByTestId('selection-bar').getByRole('button', { name: 'Move to trash' }).click();
    await expect.poll(() => page.getByTestId('asset').first().getAttribute('data-id')).toBe(timeline[3]?.id);
    await page.getByTestId('snackbar').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByTestId('asset').first().getAttribute('data-id')).toBe(first.id);
    expect(await libraryAssets(context, server.url)).toHaveLength(timeline.length);
  });
});
