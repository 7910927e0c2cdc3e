/**
 * Issue 17 end to end: type a city and a year in the Library's search box, see exactly the
 * matching corpus photos as results with the filters as chips, open one in the viewer, remove a
 * chip; suggestions as one types; the search screen passes axe and fits a phone and a laptop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResponse } from '../../src/shared/search';
import { injectAxe } from './axe';
import {
  closeSession,
  openSession,
  type Browser,
  type BrowserContext,
  type Page,
  type RunningServer,
} from './harness';

/** Two London photos of different years (Nexus 4: 2013; the Android video: 2017), and others elsewhere. */
const PHOTOS = ['Nexus 4.jpg', 'with-gps.mp4', 'DSCN0010.jpg', 'iphone_hdr_YES.jpg', 'Canon_40D.jpg'];

const resultNames = (page: Page): Promise<string[]> =>
  page
    .locator('.search__grid [data-testid="asset"]')
    .evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-filename') ?? ''));

describe('search (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, context, page } = await openSession({
      context: { viewport: { width: 1280, height: 800 } },
      seed: PHOTOS,
    }));
    // The places are found by the search index job, in the background.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await context.request.get(`${server.url}/api/search?q=London`);
      if (((await response.json()) as SearchResponse).items.length === 2) break;
      if (Date.now() > deadline) throw new Error('The London photos were not placed within 30 s.');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  afterAll(() => closeSession({ server, browser, context }));

  it('finds a city in a year from the Library’s search box, and opens a result', async () => {
    await page.goto(`${server.url}/library`);
    const box = page.getByRole('combobox', { name: 'Search your photos' });
    await box.fill('Lond');
    const suggestion = page.getByTestId('search-suggestion').first();
    await expect
      .poll(() => suggestion.textContent(), { timeout: 10_000 })
      .toMatch(/London.*City in United Kingdom/);
    await box.fill('london 2013');
    await box.press('Enter');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/search');
    await expect.poll(() => resultNames(page), { timeout: 10_000 }).toEqual(['Nexus 4.jpg']);
    expect(await page.getByTestId('search-chip').allTextContents()).toEqual([
      expect.stringContaining('2013'),
      expect.stringContaining('London'),
    ]);

    await page.locator('.search__grid [data-testid="asset"] .library-tile__open').first().click();
    const viewer = page.getByTestId('viewer');
    await expect.poll(() => viewer.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);

    // Without the year, both London photos.
    await page.getByRole('button', { name: 'Remove 2013' }).click();
    await expect.poll(() => resultNames(page), { timeout: 10_000 }).toEqual(['with-gps.mp4', 'Nexus 4.jpg']);
  });

  it('picks a suggestion as a chip', async () => {
    await page.goto(`${server.url}/search`);
    const box = page.getByRole('combobox', { name: 'Search your photos' });
    await box.fill('arez');
    await expect
      .poll(() => page.getByTestId('search-suggestion').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await box.press('ArrowDown');
    await box.press('Enter');
    await expect.poll(() => resultNames(page), { timeout: 10_000 }).toEqual(['DSCN0010.jpg']);
    expect(await page.getByTestId('search-chip').allTextContents()).toEqual([
      expect.stringContaining('Arezzo'),
    ]);
  });

  it('offers a correction when a misspelt search finds nothing', async () => {
    await page.goto(`${server.url}/search?q=${encodeURIComponent('londn 2013')}`);
    const correction = page.getByTestId('did-you-mean');
    await expect.poll(() => correction.textContent(), { timeout: 10_000 }).toBe('London 2013');
    expect(await page.getByTestId('search-summary').innerText()).toBe(
      'No photos or videos match. Did you mean London 2013?',
    );
    await correction.click();
    await expect.poll(() => resultNames(page), { timeout: 10_000 }).toEqual(['Nexus 4.jpg']);
    expect(await correction.count()).toBe(0);
  });

  it('passes axe, and fits a phone and a laptop without scrolling sideways', async () => {
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1280, height: 800 },
    ]) {
      await page.setViewportSize(viewport);
      await page.goto(`${server.url}/search?q=${encodeURIComponent('london')}`);
      await expect.poll(() => resultNames(page), { timeout: 10_000 }).toHaveLength(2);
      await page.getByRole('combobox', { name: 'Search your photos' }).fill('mad');
      await expect
        .poll(() => page.getByTestId('search-suggestion').count(), { timeout: 10_000 })
        .toBeGreaterThan(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `/tmp/shoebox-search-${viewport.width}.png` });
      await injectAxe(page);
      const serious = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: { run: (context: Document) => Promise<{ violations: { id: string; impact: string }[] }> };
          }
        ).axe;
        return (await axe.run(document)).violations
          .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
          .map((violation) => violation.id);
      });
      expect(serious).toEqual([]);
    }
  });
});
