/**
 * Issue 15, what a person sees, with the whole corpus backed up: at a 390×844 phone and a
 * 1280×800 desktop, in the light and the dark colour scheme, no screen scrolls sideways (Backup,
 * Library, the viewer with its info open, Trash, Settings, Users); the viewer fits a portrait and a
 * landscape photo inside the window; every icon button has a name and an SVG (no text glyphs);
 * what a finger taps on a phone is at least 44 px; axe finds nothing serious on any of them.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR } from '../support/corpus';
import { SCHEMES, expectNoSeriousViolations } from './axe';
import {
  closeSession,
  libraryAssets,
  openSession,
  uploadCorpusAsOwner,
  type BrowserContext,
  type LibraryAsset,
  type Page,
  type RunningServer,
} from './harness';

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
] as const;
/** Every file of the corpus, the traps included (an empty file, a README, damaged photos). */
const CORPUS = readdirSync(CORPUS_DIR).filter((name) => name !== 'MANIFEST.tsv');
/** A phone portrait photo (no Orientation tag) and a landscape one with a long Android name. */
const PORTRAIT = 'Nexus 4.jpg';
const LANDSCAPE = 'IMG_20180725_163423.jpg';
/** A JPEG no decoder reads (a DNL marker): the server has no preview of it, only its placeholder. */
const DAMAGED = 'beach.jpg';

/** How far the page (and an open dialog) is wider than the window, in CSS pixels. */
function sidewaysOverflow(page: Page): Promise<{ page: number; dialog: number }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const dialog = document.querySelector('dialog[open]');
    return {
      page: Math.max(0, root.scrollWidth - root.clientWidth),
      dialog: dialog === null ? 0 : Math.max(0, dialog.scrollWidth - dialog.clientWidth),
    };
  });
}

/** Waits until an element's box is the same over three looks a tenth of a second apart (5 s at most). */
async function settled(locator: Locator): Promise<void> {
  let last = '';
  let same = 0;
  for (let look = 0; look < 50 && same < 3; look++) {
    const box = JSON.stringify(await locator.boundingBox());
    same = box === last ? same + 1 : 0;
    last = box;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Icon buttons without a name or an SVG, buttons whose only text is a symbol (✕, ⓘ, 🗑: empty
 * boxes where the font lacks them), and, on a phone, tap targets under 44 px.
 */
function controlProblems(page: Page, phone: boolean): Promise<string[]> {
  return page.evaluate((checkTargets) => {
    const problems: string[] = [];
    const scope = document.querySelector('dialog[open]') ?? document.body;
    const visible = (element: Element): boolean =>
      element.checkVisibility({ visibilityProperty: true, opacityProperty: false }) &&
      element.getBoundingClientRect().width > 0 &&
      element.closest('.visually-hidden') === null;
    const controls = scope.querySelectorAll<HTMLElement>(
      'button, a.icon-button, a.button, nav a, [role="checkbox"], [role="slider"], select',
    );
    for (const control of controls) {
      if (!visible(control)) continue;
      const text = (control.innerText ?? '').trim();
      const name = control.getAttribute('aria-label') ?? text;
      const describe = `${control.tagName.toLowerCase()} "${name.slice(0, 40)}"`;
      if (text !== '' && !/[\p{L}\p{N}]/u.test(text)) problems.push(`${describe}: only a symbol as its text`);
      // A button with no words that is not a photo (a tile, its preview still being made) is an icon button.
      const icon =
        text === '' &&
        control.tagName !== 'SELECT' &&
        control.getAttribute('role') !== 'slider' &&
        control.querySelector('img') === null &&
        !control.classList.contains('library-tile__open');
      if (icon) {
        if (name.trim() === '') problems.push(`${describe}: an icon button without a name`);
        if (control.querySelector('svg') === null)
          problems.push(`${describe}: an icon button without an SVG`);
      }
      if (checkTargets) {
        // A slider's thumb is dragged anywhere along its track: the track is what a finger hits.
        const target =
          control.getAttribute('role') === 'slider' ? (control.parentElement ?? control) : control;
        const box = target.getBoundingClientRect();
        if (box.width < 43.5 || box.height < 43.5) {
          problems.push(`${describe}: ${Math.round(box.width)}×${Math.round(box.height)} px, under 44 px`);
        }
      }
    }
    return problems;
  }, phone);
}

/**
 * What lies on top of the timeline's first date line, sampled along it: anything there that is not
 * the date line itself (the scrubber, its labels) covers it. Also where the scrubber's column is.
 */
function firstDayHeaderCover(page: Page): Promise<{ covered: string[]; gap: number }> {
  return page.evaluate(() => {
    const header = document.querySelector('[data-testid="day-header"]');
    const scrubber = document.querySelector('[data-testid="scrubber"]');
    if (header === null || scrubber === null) throw new Error('no date line or scrubber');
    const box = header.getBoundingClientRect();
    const covered = new Set<string>();
    for (let x = box.left + 2; x < box.right - 1; x += 6) {
      for (const y of [box.top + 4, box.top + box.height / 2, box.bottom - 4]) {
        const top = document.elementFromPoint(x, y);
        if (top !== null && !header.contains(top)) covered.add(top.className || top.tagName);
      }
    }
    return { covered: [...covered], gap: scrubber.getBoundingClientRect().left - box.right };
  });
}

/**
 * How bright the timeline's tile of a photo without a preview is drawn (the mean of its pixels'
 * channels, 0–255): the tile's own symbol for a file that cannot be shown.
 */
async function placeholderTileBrightness(page: Page, filename: string): Promise<number> {
  const tile = page.locator(`[data-testid="asset"][data-filename="${filename}"]`);
  await tile.scrollIntoViewIfNeeded();
  await tile.getByTestId('tile-placeholder').waitFor();
  const { channels } = await sharp(await tile.screenshot()).stats();
  const colour = channels.slice(0, 3);
  return colour.reduce((sum, channel) => sum + channel.mean, 0) / colour.length;
}

async function expectScreenFits(page: Page, screen: string, phone: boolean): Promise<void> {
  expect(await sidewaysOverflow(page), `${screen} scrolls sideways`).toEqual({ page: 0, dialog: 0 });
  expect(await controlProblems(page, phone), screen).toEqual([]);
}

describe('layouts at a phone and a desktop size, light and dark (Chromium)', () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let assets: LibraryAsset[];
  const close: Parameters<typeof closeSession>[0] = {};

  beforeAll(async () => {
    const session = await openSession({ context: { viewport: VIEWPORTS[1], hasTouch: false } });
    Object.assign(close, session);
    ({ server, context, page } = session);
    const response = await context.request.post(`${server.url}/api/setup`, {
      data: { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery' },
    });
    expect(response.ok()).toBe(true);
    // The library straight from Node; then the whole corpus added on the Backup screen, where it is
    // found already backed up, and the traps are skipped with their reasons.
    const media = CORPUS.filter((name) => !['zero-byte.jpg', 'README.md'].includes(name));
    await uploadCorpusAsOwner(context, server.url, media);
    await page.goto(`${server.url}/backup`);
    await page.getByTestId('add-photos-input').setInputFiles(CORPUS.map((name) => join(CORPUS_DIR, name)));
    await page.waitForFunction(
      (total) =>
        document.querySelectorAll(
          '[data-testid="queue-item"]:is([data-state="done"], [data-state="skipped"])',
        ).length === total,
      CORPUS.length,
      { timeout: 120_000 },
    );
    // The damaged photo's preview has been tried and given up on: its tile shows the placeholder.
    // (expect.poll is for tests only; this waits the same way.)
    for (let deadline = Date.now() + 30_000; ;) {
      assets = await libraryAssets(context, server.url);
      const state = assets.find((asset) => asset.filename === DAMAGED)?.thumb.state;
      if (state === 'placeholder') break;
      if (state !== 'pending' || Date.now() > deadline) throw new Error(`${DAMAGED}'s preview is ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Something in the trash, so that Trash has a grid to lay out.
    const victim = assets.find((asset) => asset.filename === 'Canon_40D.jpg');
    if (victim === undefined) throw new Error('Canon_40D.jpg is not in the library');
    expect((await context.request.delete(`${server.url}/api/assets/${victim.id}`)).ok()).toBe(true);
    assets = assets.filter((asset) => asset !== victim);
  });

  afterAll(() => closeSession(close));

  for (const viewport of VIEWPORTS) {
    for (const colorScheme of SCHEMES) {
      const phone = viewport.width < 600;
      const label = `${viewport.width}×${viewport.height} ${colorScheme}`;

      it(`${label}: Backup, Library, Trash, Settings and Users fit the width, with named icon buttons`, async () => {
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme });
        const screens = [
          { path: '/backup', ready: () => page.getByTestId('queue-item').first().waitFor() },
          { path: '/library', ready: () => page.getByTestId('asset').first().waitFor() },
          { path: '/trash', ready: () => page.getByTestId('trash-item').first().waitFor() },
          {
            path: '/settings',
            ready: () => page.getByTestId('api-token').or(page.getByText('No tokens yet.')).waitFor(),
          },
          { path: '/users', ready: () => page.getByTestId('user').first().waitFor() },
        ];
        for (const screen of screens) {
          await page.goto(`${server.url}${screen.path}`);
          await screen.ready();
          await expectScreenFits(page, `${screen.path} at ${label}`, phone);
          await expectNoSeriousViolations(page, `${screen.path} at ${label}`);
        }
        // The scrubber keeps to its own column beside the timeline: it covers no part of the first
        // date line, at rest or while in use (its month and years show as it is held).
        await page.goto(`${server.url}/library`);
        await page.getByTestId('day-header').first().waitFor();
        expect(await firstDayHeaderCover(page), `/library at ${label}`).toMatchObject({ covered: [] });
        expect((await firstDayHeaderCover(page)).gap, `/library at ${label}`).toBeGreaterThanOrEqual(0);
        await page.getByRole('slider', { name: 'Scroll to month' }).focus();
        expect(await firstDayHeaderCover(page), `/library at ${label}, scrubber in use`).toMatchObject({
          covered: [],
        });
        // A damaged photo's placeholder takes the scheme's colours: no bright block in the dark.
        const brightness = await placeholderTileBrightness(page, DAMAGED);
        if (colorScheme === 'dark') expect(brightness, `${DAMAGED} at ${label}`).toBeLessThan(70);
        else expect(brightness, `${DAMAGED} at ${label}`).toBeGreaterThan(180);
        await page.evaluate(() => window.scrollTo(0, 0));
        // The navigation: a bar along the bottom on a phone, in the header on a desktop.
        const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
        if (nav === null) throw new Error('no navigation');
        if (phone) expect(nav.y + nav.height).toBeCloseTo(viewport.height, 0);
        else expect(nav.y).toBeLessThan(100);
      });

      it(`${label}: the viewer fits a portrait and a landscape photo, with its info open too`, async () => {
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme });
        for (const filename of [PORTRAIT, LANDSCAPE]) {
          const asset = assets.find((candidate) => candidate.filename === filename);
          if (asset === undefined) throw new Error(`${filename} is not in the library`);
          await page.goto(`${server.url}/library/${asset.id}`);
          const image = page.getByTestId('viewer-image');
          await image.waitFor();
          await expect
            .poll(() => image.evaluate((node: HTMLImageElement) => node.complete && node.naturalWidth > 0))
            .toBe(true);
          for (const info of [false, true]) {
            if (info) {
              await page.getByRole('button', { name: 'Info', exact: true }).click();
              const panel = page.getByTestId('viewer-info');
              await panel.waitFor();
              // The panel fills in as the photo's details arrive, and the photo above it shrinks
              // to match: measure once the sheet has stopped growing.
              await settled(panel);
            }
            const where = `${filename} at ${label}${info ? ' with info' : ''}`;
            const box = await image.boundingBox();
            const bar = await page.getByTestId('viewer-title').boundingBox();
            if (box === null || bar === null) throw new Error(`${where}: nothing shown`);
            // The file name is readable: on a phone it has a line of its own under the actions.
            expect(bar.width, where).toBeGreaterThan(viewport.width / 2);
            // Inside the window and below the bar: the whole photo shows.
            expect(box.x, where).toBeGreaterThanOrEqual(-0.5);
            expect(box.y, where).toBeGreaterThanOrEqual(bar.y + bar.height - 0.5);
            expect(box.x + box.width, where).toBeLessThanOrEqual(viewport.width + 0.5);
            expect(box.y + box.height, where).toBeLessThanOrEqual(viewport.height + 0.5);
            // Its shape, and as large as the stage lets it be (object-fit: contain, as a box).
            expect(box.width / box.height, where).toBeCloseTo((asset.width ?? 0) / (asset.height ?? 1), 1);
            const stage = await page.getByTestId('viewer-stage').boundingBox();
            if (stage === null) throw new Error(`${where}: no stage`);
            expect(Math.max(box.width / stage.width, box.height / stage.height), where).toBeGreaterThan(0.99);
            if (info) {
              // The info panel is beside the photo on a desktop, and a sheet below it on a phone.
              const panel = await page.getByTestId('viewer-info').boundingBox();
              if (panel === null) throw new Error(`${where}: no info`);
              if (phone) expect(panel.y, where).toBeGreaterThanOrEqual(box.y + box.height - 0.5);
              else expect(panel.x, where).toBeGreaterThanOrEqual(box.x + box.width - 0.5);
              await expectNoSeriousViolations(page, `viewer with info, ${where}`);
            }
            await expectScreenFits(page, `viewer, ${where}`, phone);
          }
          await page.keyboard.press('Escape');
          await expect.poll(() => page.getByTestId('viewer').count()).toBe(0);
        }
      });
    }
  }

  it('shows long names cut short with the whole name in a title', async () => {
    await page.setViewportSize(VIEWPORTS[0]);
    const asset = assets.find(
      (candidate) => candidate.filename === 'NegativeArraySizeException.HeifReader.processBoxes.heif',
    );
    if (asset === undefined) throw new Error('the long-named HEIF is not in the library');
    await page.goto(`${server.url}/library/${asset.id}`);
    const title = page.getByTestId('viewer-title');
    await title.waitFor();
    expect(await title.getAttribute('title')).toBe(asset.filename);
    expect(await title.evaluate((node) => node.scrollWidth > node.clientWidth)).toBe(true);
    expect(await sidewaysOverflow(page)).toEqual({ page: 0, dialog: 0 });
  });

  it('says in place that a damaged photo cannot be read, and that an unplayable video cannot play', async () => {
    await page.setViewportSize(VIEWPORTS[1]);
    const broken = assets.find((candidate) => candidate.filename === DAMAGED);
    const video = assets.find((candidate) => candidate.filename === 'sample.3gp');
    if (broken === undefined || video === undefined) throw new Error('the traps are not in the library');
    // No preview, no picture (beforeAll waited for the placeholder): the viewer says why, with a download.
    const state = broken.thumb;
    if (state.state !== 'placeholder') throw new Error(`${DAMAGED} has a preview: ${JSON.stringify(state)}`);
    await page.goto(`${server.url}/library/${broken.id}`);
    const problem = page.getByTestId('viewer-problem');
    await expect.poll(() => problem.innerText(), { timeout: 15_000 }).toContain(state.reason);
    expect(await problem.getByRole('link', { name: 'Download original' }).getAttribute('href')).toBe(
      `/api/assets/${broken.id}/original`,
    );
    expect(await page.getByTestId('viewer-image').count()).toBe(0);
    // Chromium plays no 3GP: the viewer says so and offers the file instead of a dead play button.
    await page.goto(`${server.url}/library/${video.id}`);
    await expect
      .poll(() => problem.innerText(), { timeout: 15_000 })
      .toContain("This browser can't play this video");
    expect(await problem.getByRole('link', { name: 'Download video' }).getAttribute('href')).toBe(
      `/api/assets/${video.id}/original`,
    );
    expect(await page.getByTestId('viewer-video').count()).toBe(0);
  });
});
