/**
 * Issue 15, selection in the Library: a whole day, a shift-click range, everything, a mouse drag
 * and a finger's long press then drag give the right counts on the selection bar; the arrow keys
 * move between tiles (across rows too).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AssetBuckets } from '../../src/shared/api';
import {
  closeSession,
  libraryAssets,
  openSession,
  type BrowserContext,
  type LibraryAsset,
  type Page,
  type RunningServer,
} from './harness';

/** Photos on a handful of days, some days with several: Landscape/Portrait have no date (today). */
const PHOTOS = [
  'Landscape_0.jpg',
  'Landscape_1.jpg',
  'Landscape_3.jpg',
  'Landscape_6.jpg',
  'Landscape_8.jpg',
  'Portrait_2.jpg',
  'Portrait_4.jpg',
  'Portrait_5.jpg',
  'Portrait_7.jpg',
  'no_exif.jpg',
  'Canon_40D.jpg',
  'DSCN0010.jpg',
  'HTC One.jpg',
  'Nexus 4.jpg',
];

describe('selection in the Library (Chromium)', () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let timeline: LibraryAsset[];
  let buckets: AssetBuckets;
  const close: Parameters<typeof closeSession>[0] = {};

  const count = () => page.getByTestId('selection-count').innerText();
  const tile = (index: number) => page.locator(`[data-testid="asset"][data-index="${index}"]`);
  const clear = async () => {
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await expect.poll(() => page.getByTestId('selection-bar').count()).toBe(0);
  };

  beforeAll(async () => {
    const session = await openSession({
      context: { viewport: { width: 1280, height: 800 }, hasTouch: true },
      seed: PHOTOS,
    });
    Object.assign(close, session);
    ({ server, context, page } = session);
    timeline = await libraryAssets(context, server.url);
    buckets = (await (await context.request.get(`${server.url}/api/assets/buckets`)).json()) as AssetBuckets;
    await page.goto(`${server.url}/library`);
    await page.waitForFunction(
      (total) => document.querySelectorAll('[data-testid="asset"]').length === total,
      PHOTOS.length,
    );
  });

  afterAll(() => closeSession(close));

  // Whatever a test left selected (one that failed half way) does not change the next one.
  afterEach(async () => {
    if ((await page.getByTestId('selection-bar').count()) > 0) await clear();
  });

  it('selects a whole day from its date, and unselects it', async () => {
    const day = buckets.days.find((bucket) => bucket.count > 1);
    if (day === undefined) throw new Error('no day with several photos');
    const header = page.locator(`[data-testid="day-header"][data-day="${day.day}"]`);
    await header.getByRole('checkbox').click();
    await expect.poll(count).toBe(`${day.count} selected`);
    const selected = await page
      .locator('[data-testid="asset"].is-selected')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')));
    const ofDay = timeline.filter((asset) => asset.capturedAt.startsWith(day.day)).map((asset) => asset.id);
    expect(selected.sort()).toEqual(ofDay.sort());
    expect(await header.getByRole('checkbox').getAttribute('aria-checked')).toBe('true');
    await header.getByRole('checkbox').click();
    await expect.poll(() => page.getByTestId('selection-bar').count()).toBe(0);
  });

  it('selects a range with shift-click, then everything with Select all', async () => {
    await tile(1).getByRole('checkbox').click();
    await expect.poll(count).toBe('1 selected');
    // With something selected, a click on a tile selects; shift extends from the last one.
    await tile(5)
      .locator('.library-tile__open')
      .click({ modifiers: ['Shift'] });
    await expect.poll(count).toBe('5 selected');
    expect(
      await page
        .locator('[data-testid="asset"].is-selected')
        .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-index')))),
    ).toEqual([1, 2, 3, 4, 5]);
    await page.getByRole('button', { name: 'Select all' }).click();
    await expect.poll(count).toBe(`${PHOTOS.length} selected`);
    expect(await page.getByRole('button', { name: 'Select all' }).count()).toBe(0);
    await clear();
  });

  it('selects with Ctrl+A from the grid', async () => {
    await tile(0).locator('.library-tile__open').focus();
    await page.keyboard.press('Control+a');
    await expect.poll(count).toBe(`${PHOTOS.length} selected`);
    await clear();
  });

  it('drag-selects with the mouse without opening anything', async () => {
    const from = await tile(0).boundingBox();
    const to = await tile(3).boundingBox();
    if (from === null || to === null) throw new Error('tiles not shown');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2, { steps: 3 });
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(count).toBe('4 selected');
    expect(await page.getByTestId('viewer').count()).toBe(0);
    await clear();
  });

  it('selects with a long press and a drag of the finger', async () => {
    const from = await tile(0).boundingBox();
    const to = await tile(2).boundingBox();
    if (from === null || to === null) throw new Error('tiles not shown');
    const cdp = await context.newCDPSession(page);
    const at = (box: { x: number; y: number; width: number; height: number }) => ({
      x: box.x + box.width / 2,
      y: box.y + box.height / 2,
    });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(from)] });
    // Held still past the long press: the tile is selected.
    await expect.poll(count, { timeout: 5_000 }).toBe('1 selected');
    for (let step = 1; step <= 8; step++) {
      const x = at(from).x + ((at(to).x - at(from).x) * step) / 8;
      const y = at(from).y + ((at(to).y - at(from).y) * step) / 8;
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
    }
    // The finger rests on the last tile before it lifts.
    await expect.poll(count).toBe('3 selected');
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await cdp.detach();
    await expect.poll(count).toBe('3 selected');
    expect(await page.getByTestId('viewer').count()).toBe(0);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await clear();
  });

  it('moves between tiles with the arrow keys, across rows too', async () => {
    const focused = () =>
      page.evaluate(() =>
        Number(document.activeElement?.closest('[data-index]')?.getAttribute('data-index') ?? -1),
      );
    await tile(0).locator('.library-tile__open').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(focused).toBe(1);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(focused).toBe(0);
    const firstTop = (await tile(0).boundingBox())?.y ?? 0;
    await page.keyboard.press('ArrowDown');
    await expect.poll(focused).toBeGreaterThan(1);
    const below = await focused();
    expect((await tile(below).boundingBox())?.y ?? 0).toBeGreaterThan(firstTop);
    // Up goes back to the first row, to the tile nearest above.
    await page.keyboard.press('ArrowUp');
    await expect.poll(focused).toBeLessThan(below);
    const above = await focused();
    expect((await tile(above).boundingBox())?.y).toBe(firstTop);
    // Enter opens the focused tile, as a click does.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('viewer').getAttribute('data-id')).toBe(timeline[above]?.id);
    await page.keyboard.press('Escape');
  });
});
