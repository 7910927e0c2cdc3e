/**
 * Issue 4 end to end, the rest of the library: a video backed up from the page gets the poster
 * frame the page took; /library/:id links (Back closes the viewer, a far-down asset opens, an
 * unknown one is said to be missing); the month scrubber; zoom and swipe in the viewer; emptying
 * the trash frees the original; thumbnails seen online still show offline after a reload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetPage } from '../../src/shared/api';
import { THUMBNAIL_CACHE } from '../../src/shared/caches';
import { corpusFile } from '../support/corpus';
import {
  closeSession,
  libraryAssets,
  openSession,
  waitForServiceWorker,
  type Browser,
  type BrowserContext,
  type LibraryAsset,
  type Page,
  type RunningServer,
} from './harness';

/** Photos with capture dates years apart, so the timeline spans many months. */
const PHOTOS = [
  'Canon_40D.jpg',
  'DSCN0010.jpg',
  'IMG_20180725_163423.jpg',
  'Nexus 4.jpg',
  'HTC One.jpg',
  'canon-dslr.jpg',
  'Blackberry Z10.jpg',
  'Landscape_0.jpg',
  'beach.jpg',
];

function viewerScale(page: Page): Promise<number> {
  return page
    .getByTestId('viewer-image')
    .evaluate((node) => new DOMMatrix(getComputedStyle(node).transform).a);
}

/** A horizontal finger swipe over the viewer through CDP touch events (pointerType "touch"). */
async function swipe(page: Page, from: number, to: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const y = 350;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from, y }] });
  for (let step = 1; step <= 6; step++) {
    const x = from + ((to - from) * step) / 6;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

describe('library viewer, links, scrubber, trash and offline (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let timeline: LibraryAsset[];

  beforeAll(async () => {
    ({ server, browser, context, page } = await openSession({
      context: { viewport: { width: 1000, height: 700 }, hasTouch: true },
      seed: PHOTOS,
    }));
  });

  afterAll(() => closeSession({ server, browser, context }));

  it('gives a video backed up from the page the poster frame the page took', async () => {
    await page.goto(`${server.url}/backup`);
    await waitForServiceWorker(page);
    await page.getByTestId('add-photos-input').setInputFiles(corpusFile('with-gps.mp4').path);
    await expect
      .poll(
        async () => (await libraryAssets(context, server.url)).some((a) => a.filename === 'with-gps.mp4'),
        {
          timeout: 30_000,
        },
      )
      .toBe(true);
    timeline = await libraryAssets(context, server.url);
    const video = timeline.find((asset) => asset.filename === 'with-gps.mp4');
    if (video === undefined) throw new Error('the video is not in the library');
    // Without the page's frame the server shows its video placeholder (an SVG), made with no ffmpeg.
    await expect
      .poll(
        async () => {
          const thumb = await context.request.get(`${server.url}/api/assets/${video.id}/thumb?size=s`);
          return `${thumb.headers()['shoebox-thumb-state']} ${thumb.headers()['content-type']}`;
        },
        { timeout: 20_000 },
      )
      .toBe('ready image/webp');
  });

  it('opens the viewer at /library/:id; Back and Esc close it; an unknown id is said to be missing', async () => {
    const oldest = timeline.at(-1);
    const newest = timeline[0];
    if (oldest === undefined || newest === undefined) throw new Error('the timeline is empty');
    // Loaded directly, an asset at the far end of the timeline opens.
    await page.goto(`${server.url}/library/${oldest.id}`);
    const viewer = page.getByTestId('viewer');
    await expect.poll(() => viewer.getAttribute('data-id'), { timeout: 15_000 }).toBe(oldest.id);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/library');

    // Opening pushes the address; stepping replaces it; Back closes the viewer. (Closing left the
    // grid at the oldest asset, as the viewer was there.)
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: newest.filename, exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/library/${newest.id}`);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/library/${timeline[1]?.id}`);
    await page.goBack();
    await expect.poll(() => viewer.count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/library');

    await page.goto(`${server.url}/library/00000000-0000-4000-8000-000000000000`);
    await expect
      .poll(() => page.getByTestId('library-missing').innerText())
      .toBe("This photo isn't in your library.");
    await expect.poll(() => page.getByTestId('asset').count()).toBeGreaterThan(0);
    expect(await viewer.count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/library');
  });

  it('scrubs the timeline by month with the keyboard, and by a click on the track', async () => {
    await page.goto(`${server.url}/library`);
    const slider = page.getByRole('slider', { name: 'Scroll to month' });
    await slider.focus();
    await page.keyboard.press('End');
    const oldestDay = timeline.at(-1)?.capturedAt.slice(0, 10) ?? '';
    const monthOf = (day: string): string =>
      new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${day.slice(0, 7)}-01T00:00:00Z`),
      );
    await expect.poll(() => slider.getAttribute('aria-valuetext')).toBe(monthOf(oldestDay));
    await expect
      .poll(() => page.locator(`[data-testid="day-header"][data-day="${oldestDay}"]`).count())
      .toBe(1);
    const bottom = await page.evaluate(() => window.scrollY);
    expect(bottom).toBeGreaterThan(0);

    await page.keyboard.press('Home');
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeLessThan(bottom);
    const newestDay = timeline[0]?.capturedAt.slice(0, 10) ?? '';
    await expect.poll(() => slider.getAttribute('aria-valuetext')).toBe(monthOf(newestDay));
    await expect
      .poll(() => page.locator(`[data-testid="day-header"][data-day="${newestDay}"]`).count())
      .toBe(1);
    await page.evaluate(() => window.scrollTo(0, 0));

    const track = await page.getByTestId('scrubber').boundingBox();
    if (track === null) throw new Error('the scrubber is not shown');
    await page.mouse.click(track.x + track.width / 2, track.y + track.height * 0.6);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    // A touch screen (this context's) shows the month while the scrubber is held, not after it is
    // let go: the :hover a tap leaves behind, and the focus it gives the thumb, kept it over the
    // timeline.
    const month = page.locator('.timeline-scrubber__label');
    expect(await page.evaluate(() => matchMedia('(hover: none)').matches)).toBe(true);
    await expect.poll(() => month.evaluate((node) => getComputedStyle(node).opacity)).toBe('0');
  });

  it('zooms a photo with a double-click and the wheel, Esc zooms out, and swipes step through', async () => {
    // beach.jpg cannot be read: the viewer says so instead of showing a picture.
    const photos = timeline.filter(
      (asset) => asset.mimeType === 'image/jpeg' && asset.filename !== 'beach.jpg',
    );
    const first = photos[0];
    if (first === undefined) throw new Error('no photo');
    const index = timeline.indexOf(first);
    await page.goto(`${server.url}/library/${first.id}`);
    const image = page.getByTestId('viewer-image');
    await expect.poll(() => image.count(), { timeout: 15_000 }).toBe(1);
    expect(await viewerScale(page)).toBe(1);

    await image.dblclick();
    await expect.poll(() => viewerScale(page)).toBe(2);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewerScale(page)).toBe(1);
    expect(await page.getByTestId('viewer').count()).toBe(1);

    const box = await image.boundingBox();
    if (box === null) throw new Error('the photo is not shown');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await expect.poll(() => viewerScale(page)).toBeGreaterThan(1);
    await image.dblclick();
    await expect.poll(() => viewerScale(page)).toBe(1);

    const viewer = page.getByTestId('viewer');
    await swipe(page, 700, 250);
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(timeline[index + 1]?.id);
    await swipe(page, 250, 700);
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(first.id);
  });

  it('empties the trash: the asset is gone from /trash, its original is 404 and its bytes are freed', async () => {
    const victim = timeline.find((asset) => asset.filename === 'beach.jpg');
    if (victim === undefined) throw new Error('beach.jpg is not in the library');
    const blobs = path.join(server.dataDir, 'blobs');
    const stored = (): string[] =>
      fs
        .readdirSync(blobs, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.includes(victim.sha256));
    expect(stored().length).toBeGreaterThan(0);
    const trashed = await context.request.post(`${server.url}/api/assets/trash`, {
      data: { ids: [victim.id] },
    });
    expect(trashed.ok()).toBe(true);

    await page.goto(`${server.url}/trash`);
    const item = page.locator(`[data-testid="trash-item"][data-id="${victim.id}"]`);
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('button', { name: 'Empty trash' }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await expect.poll(() => item.count()).toBe(0);
    expect((await context.request.get(`${server.url}/api/assets/${victim.id}/original`)).status()).toBe(404);
    expect(stored()).toEqual([]);
    timeline = timeline.filter((asset) => asset.id !== victim.id);
  });

  it('shows the thumbnails seen online after an offline reload', async () => {
    // Thumbnails made after a list was cached offline would have another URL (their version) than
    // the one that list names: wait until the server has made every one, as a person browsing
    // later would find them.
    await expect
      .poll(
        async () => {
          const response = await context.request.get(`${server.url}/api/assets?limit=500`);
          const listing = (await response.json()) as AssetPage;
          return listing.items.filter((asset) => asset.thumb.state === 'pending').length;
        },
        { timeout: 30_000 },
      )
      .toBe(0);
    await page.goto(`${server.url}/library`);
    await waitForServiceWorker(page);
    const loadedIds = (): Promise<string[]> =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLImageElement>('[data-testid="asset"] img')]
          .filter((img) => img.complete && img.naturalWidth > 0)
          .map((img) => img.closest<HTMLElement>('[data-testid="asset"]')?.dataset.id ?? '')
          .sort(),
      );
    await expect.poll(async () => (await loadedIds()).length, { timeout: 20_000 }).toBeGreaterThan(2);
    // Seen while the page was controlled by the service worker, which keeps what it fetched.
    await page.reload();
    await expect.poll(async () => (await loadedIds()).length, { timeout: 20_000 }).toBeGreaterThan(2);
    const seen = await loadedIds();
    // The service worker stores a thumbnail after handing it to the page: wait until every one
    // seen is in its cache, or going offline at once could race the last write.
    await expect
      .poll(
        () =>
          page.evaluate(
            async ({ cacheName, ids }) => {
              const urls = (await (await caches.open(cacheName)).keys()).map((request) => request.url);
              return ids.filter((id) => !urls.some((url) => url.includes(`/api/assets/${id}/thumb`)));
            },
            { cacheName: THUMBNAIL_CACHE, ids: seen },
          ),
        { timeout: 20_000 },
      )
      .toEqual([]);

    await context.setOffline(true);
    try {
      await page.reload();
      // Offline, the app adds a notice above the timeline, so the virtualised grid may render a
      // few tiles fewer: every tile it renders that was seen online must show its thumbnail.
      const renderedSeen = (): Promise<{ rendered: number; missing: string[] }> =>
        page.evaluate((seenIds) => {
          const tiles = [...document.querySelectorAll<HTMLElement>('[data-testid="asset"]')].filter((tile) =>
            seenIds.includes(tile.dataset.id ?? ''),
          );
          return {
            rendered: tiles.length,
            missing: tiles
              .filter((tile) => {
                const img = tile.querySelector('img');
                return img === null || !img.complete || img.naturalWidth === 0;
              })
              .map((tile) => tile.dataset.id ?? ''),
          };
        }, seen);
      await expect
        .poll(
          async () => {
            const { rendered, missing } = await renderedSeen();
            return rendered > 2 ? missing : `only ${rendered} seen tiles rendered`;
          },
          { timeout: 20_000 },
        )
        .toEqual([]);
    } finally {
      await context.setOffline(false);
    }
  });
});
