/**
 * Issue 17 end to end: Places shows every geotagged corpus photo on the map (no tiles, no request
 * leaving the machine), a cluster opens as a grid of exactly its photos and a photo of the grid
 * opens in the viewer; with a tile server set in Settings the map draws its tiles through
 * Shoebox; "On this day" appears at the top of a Library holding photos from today's date in past
 * years and opens that day's photos; both screens pass axe and fit a phone and a laptop, light
 * and dark.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MapMarkers } from '../../src/shared/map';
import { readCorpusFile, uploadCorpusFile } from '../support/client';
import {
  closeSession,
  openSession,
  type Browser,
  type BrowserContext,
  type Page,
  type RunningServer,
} from './harness';

/**
 * axe-core's source, evaluated in the page: the app's Content Security Policy (issue 18) refuses
 * an added <script>, and an evaluation from the DevTools protocol is not subject to it.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The corpus's geotagged files (London twice, Arezzo, Madrid, Central Bohemia, Israel, Missouri). */
const GEOTAGGED = [
  'Nexus 4.jpg',
  'with-gps.mp4',
  'DSCN0010.jpg',
  'iphone_hdr_YES.jpg',
  'IMG_20180725_163423.jpg',
  'with-gps.mov',
  'IMG_5195.HEIC',
];

const pad = (value: number): string => String(value).padStart(2, '0');

/** Today on this machine's calendar (the browser's, as it runs here), `years` years back. */
function todayYearsAgo(years: number): string {
  const now = new Date();
  return `${now.getFullYear() - years}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

async function axeSerious(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (context: Document) => Promise<{ violations: { id: string; impact: string }[] }> };
      }
    ).axe;
    return (await axe.run(document)).violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => violation.id);
  });
}

const overflow = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Photos on the map: the sum of its clusters' and points' counts. */
const mapped = (page: Page): Promise<number> =>
  page
    .locator('.map-cluster, .map-point')
    .evaluateAll((icons) => icons.reduce((sum, icon) => sum + Number(icon.getAttribute('data-count')), 0));

const gridNames = (page: Page): Promise<string[]> =>
  page
    .getByTestId('map-grid')
    .locator('[data-testid="asset"]')
    .evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-filename') ?? ''));

describe('places and memories (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const outside: string[] = [];

  beforeAll(async () => {
    ({ server, browser, context, page } = await openSession({
      context: { viewport: { width: 1280, height: 800 } },
      seed: [...GEOTAGGED, 'Canon_40D.jpg'],
    }));
    const session = (await context.cookies(server.url)).find((cookie) => cookie.name === 'shoebox_session');
    const auth = { cookie: `${session?.name ?? ''}=${session?.value ?? ''}` };
    // Photos from today's date two and five years ago (and one from yesterday five years ago).
    const dated: [string, string][] = [
      ['two-years-ago.jpg', `${todayYearsAgo(2)}T09:30:00`],
      ['five-years-ago-a.jpg', `${todayYearsAgo(5)}T10:00:00`],
      ['five-years-ago-b.jpg', `${todayYearsAgo(5)}T18:45:00`],
    ];
    for (const [index, [name, capturedAt]] of dated.entries()) {
      const result = await uploadCorpusFile(server.url, auth, 'no_exif.jpg', {
        filename: name,
        capturedAt,
        sourceSha256: String(index + 1).padStart(64, 'c'),
      });
      if (!result.ok) throw new Error(JSON.stringify(result.error));
    }
    // Places are found by the background jobs: wait until every geotagged photo is on the map.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await context.request.get(`${server.url}/api/map/markers`);
      if (((await response.json()) as MapMarkers).ids.length === GEOTAGGED.length) break;
      if (Date.now() > deadline) throw new Error('The geotagged photos were not on the map within 60 s.');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Anything the app asks of another address than Shoebox's fails the map test.
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== server.url && url.protocol !== 'data:' && url.protocol !== 'blob:') {
        outside.push(request.url());
      }
    });
  });

  afterAll(() => closeSession({ server, browser, context }));

  it('shows every geotagged photo on the map, offline, and opens a cluster as a grid', async () => {
    await page.goto(`${server.url}/library`);
    await page.getByTestId('places-link').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/places');
    await expect.poll(() => mapped(page), { timeout: 15_000 }).toBe(GEOTAGGED.length);
    expect(await page.getByTestId('map-count').textContent()).toContain(
      `${GEOTAGGED.length} photos with a location`,
    );
    // The borders are drawn, from the app itself.
    expect(await page.locator('.map-country').count()).toBeGreaterThan(100);

    // The largest cluster opens as a grid of exactly as many photos, all of them geotagged ones.
    const clusters = page.locator('.map-cluster');
    expect(await clusters.count()).toBeGreaterThan(0);
    const counts = await clusters.evaluateAll((icons) =>
      icons.map((icon) => Number(icon.getAttribute('data-count'))),
    );
    const largest = Math.max(...counts);
    expect(largest).toBeGreaterThan(1);
    await clusters.nth(counts.indexOf(largest)).click();
    const grid = page.getByTestId('map-grid');
    await expect.poll(() => grid.isVisible()).toBe(true);
    await expect.poll(() => gridNames(page), { timeout: 10_000 }).toHaveLength(largest);
    for (const name of await gridNames(page)) expect(GEOTAGGED).toContain(name);
    expect(await grid.getByRole('heading').textContent()).toBe(`${largest} photos here`);
    // A grid: the tiles share rows.
    const tops = await grid
      .locator('[data-testid="asset"]')
      .evaluateAll((tiles) => tiles.map((tile) => Math.round(tile.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBeLessThan(tops.length);

    await grid.locator('[data-testid="asset"] .library-tile__open').first().click();
    const viewer = page.getByTestId('viewer');
    await expect.poll(() => viewer.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);

    // A single photo opens as a grid of one; the keyboard opens it too.
    const point = page.locator('.map-point').first();
    if ((await point.count()) > 0) {
      await point.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => gridNames(page), { timeout: 10_000 }).toHaveLength(1);
    }
    expect(outside).toEqual([]);
  });

  it('draws the tiles of the tile server set in Settings, through Shoebox', async () => {
    const png = await readCorpusFile('Issue 280 (dotnet).png');
    const asked: string[] = [];
    const tileServer = http.createServer((request, response) => {
      asked.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'image/png' }).end(png);
    });
    await new Promise<void>((resolve) => tileServer.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = tileServer.address() as AddressInfo;
      await page.goto(`${server.url}/settings`);
      const field = page.getByLabel('Tile server address');
      await field.fill(`http://127.0.0.1:${port}/{z}/{x}/{y}.png`);
      await page.getByTestId('settings-map').getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => page.getByTestId('settings-map').getByRole('status').textContent())
        .toBe('The map uses your tile server.');

      await page.goto(`${server.url}/places`);
      await expect.poll(() => mapped(page), { timeout: 15_000 }).toBe(GEOTAGGED.length);
      const tiles = page.locator('img.leaflet-tile-loaded');
      await expect.poll(() => tiles.count(), { timeout: 15_000 }).toBeGreaterThan(0);
      const sources = await tiles.evaluateAll((images) =>
        images.map((image) => (image as HTMLImageElement).src),
      );
      for (const source of sources)
        expect(source).toMatch(new RegExp(`^${server.url}/api/map/tiles/\\d+/\\d+/\\d+$`));
      expect(asked.length).toBeGreaterThan(0);
      expect(outside).toEqual([]);

      await page.goto(`${server.url}/settings`);
      await page.getByLabel('Tile server address').fill('');
      await page.getByTestId('settings-map').getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => page.getByTestId('settings-map').getByRole('status').textContent())
        .toBe('The map draws borders alone.');
    } finally {
      await new Promise<void>((resolve) => tileServer.close(() => resolve()));
    }
  });

  it('shows "On this day" on the Library and opens that day’s photos', async () => {
    await page.goto(`${server.url}/library`);
    const memories = page.getByTestId('on-this-day');
    await expect.poll(() => memories.isVisible(), { timeout: 10_000 }).toBe(true);
    const cards = memories.getByTestId('on-this-day-year');
    expect(
      await cards.evaluateAll((links) =>
        links.map((link) => (link as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
      ),
    ).toEqual([
      `2 years ago ${todayYearsAgo(2).slice(0, 4)} · 1 photo`,
      `5 years ago ${todayYearsAgo(5).slice(0, 4)} · 2 photos`,
    ]);
    await cards.nth(1).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/search');
    await expect
      .poll(
        () =>
          page
            .locator('.search__grid [data-testid="asset"]')
            .evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-filename'))),
        { timeout: 10_000 },
      )
      .toEqual(['five-years-ago-b.jpg', 'five-years-ago-a.jpg']);
  });

  it('opens a year in review from the Library: months, places, a photo in the viewer', async () => {
    await page.goto(`${server.url}/library`);
    const years = page.getByTestId('year-reviews');
    await expect.poll(() => years.isVisible(), { timeout: 10_000 }).toBe(true);
    const listed = await years
      .getByTestId('year-review-link')
      .evaluateAll((links) => links.map((link) => Number(link.getAttribute('data-year'))));
    expect(listed).toEqual([...listed].sort((a, b) => b - a));
    expect(listed).toEqual(expect.arrayContaining([2008, Number(todayYearsAgo(2).slice(0, 4))]));
    await years.getByRole('link', { name: '2008 in review' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/years/2008');
    await expect
      .poll(() => page.getByTestId('review-summary').textContent(), { timeout: 10_000 })
      .toBe('2 photos');
    const months = page.getByTestId('review-month');
    expect(
      await months.evaluateAll((sections) => sections.map((section) => section.getAttribute('data-month'))),
    ).toEqual(['5', '10']);
    expect(
      await months
        .locator('[data-testid="asset"]')
        .evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-filename'))),
    ).toEqual(['Canon_40D.jpg', 'DSCN0010.jpg']);
    await months.nth(1).locator('[data-testid="asset"] .library-tile__open').click();
    const viewer = page.getByTestId('viewer');
    await expect.poll(() => viewer.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);

    await page.getByTestId('review-place').filter({ hasText: 'Arezzo' }).click();
    await expect
      .poll(() => new URL(page.url()).searchParams.get('q'))
      .toBe('city:Arezzo date:2008-01-01..2008-12-31');
    await expect
      .poll(
        () =>
          page
            .locator('.search__grid [data-testid="asset"]')
            .evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-filename'))),
        { timeout: 10_000 },
      )
      .toEqual(['DSCN0010.jpg']);
  });

  it('passes axe and fits a phone and a laptop, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const viewport of [
        { width: 390, height: 844 },
        { width: 1280, height: 800 },
      ]) {
        await page.setViewportSize(viewport);
        await page.goto(`${server.url}/library`);
        await expect.poll(() => page.getByTestId('on-this-day').isVisible(), { timeout: 10_000 }).toBe(true);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `/tmp/shoebox-memories-${colorScheme}-${viewport.width}.png` });
        expect(await axeSerious(page)).toEqual([]);

        await page.goto(`${server.url}/years/2008`);
        await expect.poll(() => page.getByTestId('review-month').count(), { timeout: 10_000 }).toBe(2);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await page.screenshot({
          path: `/tmp/shoebox-year-${colorScheme}-${viewport.width}.png`,
          fullPage: true,
        });
        expect(await axeSerious(page)).toEqual([]);

        await page.goto(`${server.url}/places`);
        await expect.poll(() => mapped(page), { timeout: 15_000 }).toBe(GEOTAGGED.length);
        const clusters = page.locator('.map-cluster');
        if ((await clusters.count()) > 0) await clusters.first().click();
        else await page.locator('.map-point').first().click();
        await expect.poll(() => gridNames(page), { timeout: 10_000 }).not.toHaveLength(0);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await page.screenshot({
          path: `/tmp/shoebox-places-${colorScheme}-${viewport.width}.png`,
          fullPage: true,
        });
        expect(await axeSerious(page)).toEqual([]);
      }
    }
  });
});
