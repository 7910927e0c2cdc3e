/**
 * Issue 16 in Chromium against the real server: an album made from a selection, the Albums
 * screen and the album's view; favourite and archive change what the timeline and the Favourites
 * and Archive views show; the album shared with a second account, who sees it; a public link with
 * a password opened in a fresh context without cookies, which shows the photos and stops after
 * revoke. The screens are measured at 390×844 and 1280×800 and checked with axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Album } from '../../src/shared/albums';
import { expectAccessibleInBothSchemes } from './axe';
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

const PHOTOS = ['Landscape_0.jpg', 'Portrait_2.jpg', 'Canon_40D.jpg', 'DSCN0010.jpg'];
const IN_ALBUM = ['Canon_40D.jpg', 'DSCN0010.jpg'];
const SECOND = {
  name: 'Grace Hopper',
  email: 'grace@example.com',
  password: 'violet staircase ninety lamps',
};
const LINK_PASSWORD = 'amber kettle';
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
] as const;

/** How far the page, or an open dialog, is wider than the window (CSS pixels). */
function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const dialog = document.querySelector('dialog[open]');
    return Math.max(
      0,
      root.scrollWidth - root.clientWidth,
      dialog === null ? 0 : dialog.scrollWidth - dialog.clientWidth,
    );
  });
}

/** Tiles whose preview has loaded, by asset id (a link shows no file names). */
function loadedTiles(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="asset"]')]
      .filter((tile) => {
        const img = tile.querySelector('img');
        return img !== null && img.complete && img.naturalWidth > 0;
      })
      .map((tile) => tile.dataset.id ?? '')
      .sort(),
  );
}

/** Every tile lies inside the window's width. */
function tilesInside(page: Page): Promise<boolean> {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="asset"]')].every((tile) => {
      const box = tile.getBoundingClientRect();
      return box.left >= 0 && box.right <= document.documentElement.clientWidth + 0.5;
    }),
  );
}

async function measure(page: Page, screen: string): Promise<void> {
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await expect.poll(() => sidewaysOverflow(page), { message: `${screen} at ${viewport.width}` }).toBe(0);
    await expect
      .poll(() => tilesInside(page), { message: `${screen}: tiles inside at ${viewport.width}` })
      .toBe(true);
    await page.screenshot({ path: `/tmp/org/${screen}-${viewport.width}.png` });
  }
  await expectAccessibleInBothSchemes(page, screen);
}

describe('organise and share (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let assets: LibraryAsset[];
  let album: Album;
  let linkUrl: string;
  const close: Parameters<typeof closeSession>[0] = {};
  const byName = (name: string): LibraryAsset => {
    const asset = assets.find((a) => a.filename === name);
    if (asset === undefined) throw new Error(`${name} not in the library`);
    return asset;
  };
  const ids = (names: readonly string[]): string[] => names.map((name) => byName(name).id).sort();
  const tileCount = () => page.locator('[data-testid="asset"]').count();

  beforeAll(async () => {
    const session = await openSession({ context: { viewport: VIEWPORTS[1] }, seed: PHOTOS });
    Object.assign(close, session);
    ({ server, browser, context, page } = session);
    assets = await libraryAssets(context, server.url);
    const created = await context.request.post(`${server.url}/api/users`, { data: SECOND });
    expect(created.status()).toBe(201);
  });

  afterAll(() => closeSession(close));

  it('creates an album from a selection; Albums shows it with its cover and count', async () => {
    await page.goto(`${server.url}/library`);
    await expect.poll(tileCount).toBe(PHOTOS.length);
    for (const name of IN_ALBUM) await page.getByRole('checkbox', { name: `Select ${name}` }).click();
    await page.getByTestId('selection-bar').getByRole('button', { name: 'Add to album' }).click();
    await page.getByTestId('new-album-name').fill('Trip to the coast');
    await page.getByTestId('album-picker').getByRole('button', { name: 'Create' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Added 2 items to Trip' }).count())
      .toBe(1);

    const albums = (await (await context.request.get(`${server.url}/api/albums`)).json()) as {
      albums: Album[];
    };
    expect(albums.albums.map((a) => [a.name, a.count])).toEqual([['Trip to the coast', 2]]);
    album = albums.albums[0]!;

    await page.goto(`${server.url}/albums`);
    const card = page.getByTestId('album-card');
    await expect.poll(() => card.innerText()).toContain('Trip to the coast');
    expect(await card.innerText()).toContain('2 items');
    await expect
      .poll(() =>
        card.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
      )
      .toBe(true);
    await measure(page, 'albums');

    await card.click();
    await expect.poll(() => page.getByTestId('album-title').innerText()).toBe('Trip to the coast');
    await expect.poll(() => loadedTiles(page)).toEqual(ids(IN_ALBUM));
    await measure(page, 'album');
  });

  it('favourite from the viewer fills Favourites; archive from the selection bar takes a photo out of the timeline', async () => {
    await page.setViewportSize(VIEWPORTS[1]);
    const photo = byName('Landscape_0.jpg');
    await page.goto(`${server.url}/library/${photo.id}`);
    const heart = page.getByTestId('viewer-favorite');
    await expect.poll(() => heart.getAttribute('aria-pressed')).toBe('false');
    await heart.click();
    await expect.poll(() => heart.getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Close' }).click();
    await expect
      .poll(() => page.locator(`[data-id="${photo.id}"] [data-testid="tile-favorite"]`).count())
      .toBe(1);

    await page.goto(`${server.url}/favorites`);
    await expect.poll(() => loadedTiles(page)).toEqual(ids(['Landscape_0.jpg']));

    await page.goto(`${server.url}/library`);
    await expect.poll(tileCount).toBe(PHOTOS.length);
    await page.getByRole('checkbox', { name: 'Select Portrait_2.jpg' }).click();
    await page.getByTestId('selection-bar').getByRole('button', { name: 'Archive' }).click();
    await expect.poll(tileCount).toBe(PHOTOS.length - 1);
    expect(await page.locator(`[data-id="${byName('Portrait_2.jpg').id}"]`).count()).toBe(0);
    await page.reload();
    await expect.poll(tileCount).toBe(PHOTOS.length - 1);
    expect((await libraryAssets(context, server.url)).map((a) => a.filename)).not.toContain('Portrait_2.jpg');

    await page.goto(`${server.url}/archive`);
    await expect.poll(() => loadedTiles(page)).toEqual(ids(['Portrait_2.jpg']));
    await page.getByRole('checkbox', { name: 'Select Portrait_2.jpg' }).click();
    await page.getByTestId('selection-bar').getByRole('button', { name: 'Unarchive' }).click();
    await expect.poll(tileCount).toBe(0);
    await page.goto(`${server.url}/library`);
    await expect.poll(tileCount).toBe(PHOTOS.length);
  });

  it('shares the album with a second account, who sees it and its photos', async () => {
    await page.goto(`${server.url}/albums/${album.id}`);
    await page.getByTestId('album-share').click();
    const dialog = page.getByTestId('share-dialog');
    await dialog.getByTestId('share-account').selectOption({ label: `${SECOND.name} (${SECOND.email})` });
    await dialog.getByRole('button', { name: 'Invite' }).click();
    await expect.poll(() => dialog.getByTestId('share-member').innerText()).toContain(SECOND.name);
    await measure(page, 'share-dialog');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const other = await browser.newContext({ viewport: VIEWPORTS[0] });
    try {
      const login = await other.request.post(`${server.url}/api/auth/login`, {
        data: { email: SECOND.email, password: SECOND.password },
      });
      expect(login.ok()).toBe(true);
      const theirs = await other.newPage();
      await theirs.goto(`${server.url}/albums`);
      const card = theirs.getByTestId('album-card');
      await expect.poll(() => card.innerText()).toContain('shared by Ada Lovelace');
      await card.click();
      await expect.poll(() => loadedTiles(theirs)).toEqual(ids(IN_ALBUM));
      // A viewer: nothing to share, rename or delete; and the photos are not in their own timeline.
      expect(await theirs.getByTestId('album-share').count()).toBe(0);
      expect(await theirs.getByTestId('album-leave').count()).toBe(1);
      expect(await libraryAssets(other, server.url)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('makes a public link with a password that opens without an account, and stops after revoke', async () => {
    await page.setViewportSize(VIEWPORTS[1]);
    await page.goto(`${server.url}/albums/${album.id}`);
    await page.getByTestId('album-share').click();
    const dialog = page.getByTestId('share-dialog');
    await dialog.getByTestId('link-password').fill(LINK_PASSWORD);
    await dialog.getByTestId('create-link').click();
    const url = dialog.getByTestId('share-link-url');
    await expect.poll(() => url.count()).toBe(1);
    linkUrl = await url.innerText();
    expect(linkUrl).toMatch(new RegExp(`^${server.url}/s/[A-Za-z0-9_-]{32,}$`));

    const guest = await browser.newContext({ viewport: VIEWPORTS[0] });
    try {
      expect(await guest.cookies()).toEqual([]);
      const visitor = await guest.newPage();
      await visitor.goto(linkUrl);
      const password = visitor.getByTestId('link-unlock-password');
      await password.fill('not the one');
      await visitor.getByRole('button', { name: 'Open' }).click();
      await expect.poll(() => visitor.getByRole('alert').innerText()).toContain('That password is not right');
      expect(await visitor.locator('[data-testid="asset"]').count()).toBe(0);
      await password.fill(LINK_PASSWORD);
      await visitor.getByRole('button', { name: 'Open' }).click();
      await expect.poll(() => visitor.getByTestId('link-title').innerText()).toBe('Trip to the coast');
      await expect.poll(() => loadedTiles(visitor)).toEqual(ids(IN_ALBUM));
      // Every image the page shows came through the link's own routes.
      const sources = await visitor.evaluate(() =>
        [...document.images].map((img) => new URL(img.src).pathname),
      );
      expect(sources.every((path) => path.startsWith('/api/s/'))).toBe(true);
      const thumb = sources[0]!;
      await measure(visitor, 'public-link');

      // Revoked in the owner's dialog: the very next request of the page fails, a preview too.
      await dialog.getByTestId('share-link-revoke').click();
      await expect.poll(() => dialog.getByTestId('share-link').count()).toBe(0);
      expect((await guest.request.get(`${server.url}${thumb}`)).status()).toBe(404);
      await visitor.reload();
      await expect
        .poll(() => visitor.getByTestId('link-gone').innerText())
        .toContain('expired or was turned off');
      expect(await visitor.locator('[data-testid="asset"]').count()).toBe(0);
    } finally {
      await guest.close();
    }
  });
});
