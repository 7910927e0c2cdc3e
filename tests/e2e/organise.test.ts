/**
 * Issue 16 in Chromium against the real server: an album made from a selection, the Albums
 * screen and the album's view; favourite and archive change what the timeline and the Favourites
 * and Archive views show; the album shared with a second account, who sees it; a public link with
 * a password opened in a fresh context without cookies, which shows the photos and stops after
 * revoke; a photo turned in the viewer shows turned in its tile and the viewer while the
 * original's bytes stay as they were; a folder added once as an album holds its new photo and the
 * one the library had. The screens are measured at 390×844 and 1280×800 and checked
 * with axe.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Album } from '../../src/shared/albums';
import { CORPUS_DIR } from '../support/corpus';
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
  uploadCorpusAsOwner,
} from './harness';

const PHOTOS = ['Landscape_0.jpg', 'Portrait_2.jpg', 'Canon_40D.jpg', 'DSCN0010.jpg'];
const IN_ALBUM = ['Canon_40D.jpg', 'DSCN0010.jpg'];
/** A folder added as an album: a photo the library has and one it has not. */
const FOLDER = ['Landscape_0.jpg', 'Portrait_4.jpg'];
const SECOND = {
  name: 'Grace Hopper',
  email: 'grace@example.com',
  password: 'violet staircase ninety lamps',
};
const LINK_PASSWORD = 'amber kettle';
/** The second account's own photo, which it adds to the album as a contributor. */
const THEIR_PHOTO = 'Landscape_1.jpg';
/**
 * For what takes seconds on a busy machine: hashing a link's password (scrypt), and turning a
 * photo (the server renders the turned previews and the edited version from the original).
 */
const SLOW = { timeout: 15_000 };
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

/** The open menu of the viewer's bar lies inside the window, every item of it in view. */
function menuInside(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const panels = [...document.querySelectorAll('.viewer-menu__panel')].filter(
      (panel) => panel.getBoundingClientRect().width > 0,
    );
    return (
      panels.length === 1 &&
      panels.every((panel) => {
        const box = panel.getBoundingClientRect();
        return box.left >= 0 && box.right <= window.innerWidth && box.bottom <= window.innerHeight;
      })
    );
  });
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
  /** The second account's context and page, from the sharing test on. */
  let other: BrowserContext | undefined;
  let theirs: Page;
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

  afterAll(async () => {
    await other?.close();
    await closeSession(close);
  });

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

  it('rotates a photo in the viewer: tile and viewer turn, the original stays, download offers both', async () => {
    await page.setViewportSize(VIEWPORTS[1]);
    const photo = byName('Landscape_0.jpg');
    expect([photo.width, photo.height]).toEqual([1800, 1200]);
    const tile = page.locator(`[data-testid="asset"][data-id="${photo.id}"]`);
    /** The shape of the tile's box and of its loaded preview (width / height). */
    const tileShape = () =>
      tile.evaluate((element) => {
        const box = element.getBoundingClientRect();
        const img = element.querySelector('img');
        const loaded = img !== null && img.complete && img.naturalWidth > 0;
        return {
          box: Math.round((box.width / box.height) * 100) / 100,
          preview: loaded ? Math.round((img.naturalWidth / img.naturalHeight) * 100) / 100 : null,
        };
      });
    /** The viewer's photo: the shape of its box and of the picture shown, and whether it fits the window. */
    const viewerShape = () =>
      page.getByTestId('viewer-image').evaluate((img: HTMLImageElement) => {
        const box = img.getBoundingClientRect();
        return {
          box: Math.round((box.width / box.height) * 100) / 100,
          picture:
            img.naturalWidth > 0 ? Math.round((img.naturalWidth / img.naturalHeight) * 100) / 100 : null,
          inside:
            box.left >= -0.5 &&
            box.top >= -0.5 &&
            box.right <= window.innerWidth + 0.5 &&
            box.bottom <= window.innerHeight + 0.5,
        };
      });
    const upright = { box: 1.5, picture: 1.5, inside: true };
    const turned = { box: 0.67, picture: 0.67, inside: true };

    await page.goto(`${server.url}/library/${photo.id}`);
    await expect.poll(viewerShape, SLOW).toEqual(upright);
    await page.getByTestId('viewer-rotate').click();
    await expect.poll(viewerShape, SLOW).toEqual(turned);
    // Undo goes back to what it was.
    await page.getByTestId('viewer-more').click();
    await page.getByTestId('viewer-undo-rotate').click();
    await expect.poll(viewerShape, SLOW).toEqual(upright);
    await page.getByTestId('viewer-rotate').click();
    await expect.poll(viewerShape, SLOW).toEqual(turned);
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(tileShape, SLOW).toEqual({ box: 0.67, preview: 0.67 });

    // The original's bytes are what was uploaded; the edited version is turned.
    const original = await context.request.get(`${server.url}/api/assets/${photo.id}/original`);
    expect(
      createHash('sha256')
        .update(await original.body())
        .digest('hex'),
    ).toBe(photo.sha256);

    await page.setViewportSize(VIEWPORTS[0]);
    await tile.getByRole('button', { name: photo.filename, exact: true }).click();
    await expect.poll(viewerShape, SLOW).toEqual(turned);
    await page.getByTestId('viewer-download').click();
    const links = await Promise.all(
      ['download-original', 'download-edited'].map((id) => page.getByTestId(id).getAttribute('href')),
    );
    expect(links[0]).toBe(`/api/assets/${photo.id}/original`);
    const edited = await context.request.get(`${server.url}${links[1]}`);
    expect(edited.status()).toBe(200);
    expect(edited.headers()['content-disposition']).toContain('Landscape_0 (edited).jpg');
    const size = await sharp(await edited.body()).metadata();
    expect([size.width, size.height]).toEqual([1200, 1800]);
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await expect.poll(() => sidewaysOverflow(page)).toBe(0);
      await expect.poll(() => menuInside(page), { message: `download menu at ${viewport.width}` }).toBe(true);
      await page.screenshot({ path: `/tmp/org/viewer-download-${viewport.width}.png` });
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('download-edited').isVisible()).toBe(false);
    expect(await page.getByTestId('viewer').count()).toBe(1);

    // Back to the original from the menu: upright in the viewer and the tile again.
    await page.setViewportSize(VIEWPORTS[0]);
    await page.getByTestId('viewer-more').click();
    await expect.poll(() => menuInside(page)).toBe(true);
    await page.screenshot({ path: '/tmp/org/viewer-more-390.png' });
    await expectAccessibleInBothSchemes(page, 'viewer menu');
    await page.getByTestId('viewer-original').click();
    await expect.poll(viewerShape, SLOW).toEqual(upright);
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(tileShape, SLOW).toEqual({ box: 1.5, preview: 1.5 });
    expect((await libraryAssets(context, server.url)).find((a) => a.id === photo.id)?.rotation).toBe(0);
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

    other = await browser.newContext({ viewport: VIEWPORTS[0] });
    const login = await other.request.post(`${server.url}/api/auth/login`, {
      data: { email: SECOND.email, password: SECOND.password },
    });
    expect(login.ok()).toBe(true);
    theirs = await other.newPage();
    await theirs.goto(`${server.url}/albums`);
    const card = theirs.getByTestId('album-card');
    await expect.poll(() => card.innerText()).toContain('shared by Ada Lovelace');
    await card.click();
    await expect.poll(() => loadedTiles(theirs)).toEqual(ids(IN_ALBUM));
    // A viewer: nothing to share, rename or delete; and the photos are not in their own timeline.
    expect(await theirs.getByTestId('album-share').count()).toBe(0);
    expect(await theirs.getByTestId('album-leave').count()).toBe(1);
    expect(await libraryAssets(other, server.url)).toEqual([]);
  });

  it('a viewer cannot add; a contributor adds only their own photos, shown as added by them; a member leaves', async () => {
    const them = other;
    if (them === undefined) throw new Error('the sharing test opened no second account');
    await uploadCorpusAsOwner(them, server.url, [THEIR_PHOTO]);
    const [mine] = await libraryAssets(them, server.url);
    expect(mine?.filename).toBe(THEIR_PHOTO);
    const albumAssets = `${server.url}/api/albums/${album.id}/assets`;
    const pickerAlbums = async (): Promise<string[]> => {
      await theirs.goto(`${server.url}/library`);
      await theirs.getByRole('checkbox', { name: `Select ${THEIR_PHOTO}` }).click();
      const listed = theirs.waitForResponse(
        (r) => new URL(r.url()).pathname === '/api/albums' && r.request().method() === 'GET',
      );
      await theirs.getByTestId('selection-bar').getByRole('button', { name: 'Add to album' }).click();
      // The server lists the album to them either way; the picker offers only what they may add to.
      const { albums } = (await (await listed).json()) as { albums: Album[] };
      expect(albums.map((a) => a.name)).toEqual(['Trip to the coast']);
      const picker = theirs.getByTestId('album-picker');
      await expect.poll(() => picker.getByRole('status').count()).toBe(0);
      return picker.getByTestId('picker-album').allInnerTexts();
    };

    // As a viewer: the album is not offered, and the server refuses.
    expect((await pickerAlbums()).join()).not.toContain('Trip to the coast');
    expect((await them.request.post(albumAssets, { data: { ids: [mine!.id] } })).status()).toBe(403);

    // The owner makes them a contributor in the sharing dialog.
    await page.goto(`${server.url}/albums/${album.id}`);
    await page.getByTestId('album-share').click();
    const dialog = page.getByTestId('share-dialog');
    const changed = page.waitForResponse(
      (r) => r.url().includes('/members/') && r.request().method() === 'PATCH',
    );
    await dialog.getByRole('combobox', { name: `${SECOND.name}'s role` }).selectOption('contributor');
    expect((await changed).status()).toBe(200);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // A contributor: the album is offered and takes their photo, never someone else's.
    const offered = theirs.getByTestId('picker-album').filter({ hasText: 'Trip to the coast' });
    expect((await pickerAlbums()).join()).toContain('Trip to the coast');
    await offered.click();
    await expect
      .poll(() => theirs.getByRole('status').filter({ hasText: 'Added to Trip to the coast' }).count())
      .toBe(1);
    const foreign = await them.request.post(albumAssets, { data: { ids: [byName('Landscape_0.jpg').id] } });
    expect(await foreign.json()).toEqual({ ids: [] });

    // The album says who added what: the owner sees the contributor's photo as theirs.
    await page.goto(`${server.url}/albums/${album.id}`);
    await expect.poll(() => loadedTiles(page)).toEqual([...ids(IN_ALBUM), mine!.id].sort());
    await page.locator(`[data-id="${mine!.id}"] .library-tile__open`).click();
    await expect.poll(() => page.getByTestId('viewer-note').innerText()).toBe(`Added by ${SECOND.name}`);
    await page
      .getByRole('button', { name: 'Next' })
      .or(page.getByRole('button', { name: 'Previous' }))
      .first()
      .click();
    await expect.poll(() => page.getByTestId('viewer-note').innerText()).toBe('Added by you');
    await page.getByRole('button', { name: 'Close' }).click();

    // They leave: the album is gone from their Albums, and what they added left with them.
    await theirs.goto(`${server.url}/albums/${album.id}`);
    await theirs.getByTestId('album-leave').click();
    await theirs.waitForURL(`${server.url}/albums`);
    await expect.poll(() => theirs.getByText('No albums yet').count()).toBe(1);
    const after = (await (await context.request.get(`${server.url}/api/albums/${album.id}`)).json()) as Album;
    expect([after.count, after.members]).toEqual([IN_ALBUM.length, []]);
    expect((await libraryAssets(them, server.url)).map((a) => a.id)).toEqual([mine!.id]);
  });

  it('makes a public link with a password that opens without an account, and stops after revoke', async () => {
    await page.setViewportSize(VIEWPORTS[1]);
    await page.goto(`${server.url}/albums/${album.id}`);
    await page.getByTestId('album-share').click();
    const dialog = page.getByTestId('share-dialog');
    await dialog.getByTestId('link-password').fill(LINK_PASSWORD);
    await dialog.getByTestId('create-link').click();
    const url = dialog.getByTestId('share-link-url');
    await expect.poll(() => url.count(), SLOW).toBe(1);
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
      await expect
        .poll(() => visitor.getByRole('alert').innerText(), SLOW)
        .toContain('That password is not right');
      expect(await visitor.locator('[data-testid="asset"]').count()).toBe(0);
      await password.fill(LINK_PASSWORD);
      await visitor.getByRole('button', { name: 'Open' }).click();
      await expect.poll(() => visitor.getByTestId('link-title').innerText(), SLOW).toBe('Trip to the coast');
      await expect.poll(() => loadedTiles(visitor)).toEqual(ids(IN_ALBUM));
      // Every image the page shows came through the link's own routes.
      const sources = await visitor.evaluate(() =>
        [...document.images].map((img) => new URL(img.src).pathname),
      );
      expect(sources.every((path) => path.startsWith('/api/s/'))).toBe(true);
      // A guest selects nothing: no checks on days or tiles.
      expect(await visitor.getByRole('checkbox').count()).toBe(0);
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

  it('a link to a selection opens without an account; Settings lists it with its views and revokes it', async () => {
    await page.setViewportSize(VIEWPORTS[1]);
    const chosen = ['DSCN0010.jpg', 'Landscape_0.jpg'];
    await page.goto(`${server.url}/library`);
    await expect.poll(tileCount).toBe(PHOTOS.length);
    for (const name of chosen) await page.getByRole('checkbox', { name: `Select ${name}` }).click();
    // On a phone the selection bar's actions take a second line rather than leave the window.
    await page.setViewportSize(VIEWPORTS[0]);
    const barInside = () =>
      page.getByTestId('selection-bar').evaluate((bar) =>
        [...bar.querySelectorAll('button')].every((button) => {
          const box = button.getBoundingClientRect();
          return box.left >= 0 && box.right <= document.documentElement.clientWidth;
        }),
      );
    await expect.poll(barInside).toBe(true);
    await page.screenshot({ path: '/tmp/org/selection-bar-390.png' });
    await page.setViewportSize(VIEWPORTS[1]);
    await page.getByTestId('selection-bar').getByRole('button', { name: 'Share link' }).click();
    const dialog = page.getByTestId('selection-share');
    await dialog.getByTestId('create-link').click();
    const url = dialog.getByTestId('share-link-url');
    await expect.poll(() => url.count()).toBe(1);
    const selectionUrl = await url.innerText();
    await measure(page, 'selection-share');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const guest = await browser.newContext({ viewport: VIEWPORTS[0] });
    try {
      const visitor = await guest.newPage();
      await visitor.goto(selectionUrl);
      await expect.poll(() => loadedTiles(visitor)).toEqual(ids(chosen));
      const thumb = await visitor.evaluate(() => new URL(document.images[0]!.src).pathname);

      await page.goto(`${server.url}/settings`);
      const row = page.getByTestId('settings-link');
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.innerText()).toContain('Selection · 2 items · No password · No expiry');
      expect(await row.getByTestId('settings-link-use').innerText()).toMatch(/^1 view · Last opened /);
      await measure(page, 'settings');
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport);
        await page
          .getByRole('region', { name: 'Public links' })
          .screenshot({ path: `/tmp/org/settings-links-${viewport.width}.png` });
      }

      await row.getByTestId('settings-link-revoke').click();
      await expect.poll(() => row.count()).toBe(0);
      expect((await guest.request.get(`${server.url}${thumb}`)).status()).toBe(404);
      await visitor.reload();
      await expect.poll(() => visitor.getByTestId('link-gone').count()).toBe(1);
    } finally {
      await guest.close();
    }
  });

  it('renames the album, chooses its cover, and deletes it while its photos stay', async () => {
    await page.setViewportSize(VIEWPORTS[1]);
    await page.goto(`${server.url}/albums/${album.id}`);
    await expect.poll(() => page.getByTestId('album-title').innerText()).toBe('Trip to the coast');
    await page.getByRole('button', { name: 'Rename' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename album' });
    await rename.getByLabel('Name').fill('Coast, summer');
    await rename.getByLabel('Description').fill('Two days by the sea');
    await rename.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('album-title').innerText()).toBe('Coast, summer');
    expect(await page.getByText('Two days by the sea').count()).toBe(1);

    const cover = byName('DSCN0010.jpg');
    await page.locator(`[data-id="${cover.id}"] .library-tile__open`).click();
    await page.getByTestId('viewer-more').click();
    await page.getByTestId('viewer-cover').click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Album cover changed' }).count())
      .toBe(1);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.goto(`${server.url}/albums`);
    const card = page.getByTestId('album-card');
    await expect.poll(() => card.innerText()).toContain('Coast, summer');
    expect(await card.locator('img').getAttribute('src')).toContain(`/api/assets/${cover.id}/thumb`);

    await card.click();
    await expect.poll(() => page.getByTestId('album-title').innerText()).toBe('Coast, summer');
    page.once('dialog', (confirm) => void confirm.accept());
    await page.getByRole('button', { name: 'Delete album' }).click();
    await page.waitForURL(`${server.url}/albums`);
    await expect.poll(() => page.getByText('No albums yet').count()).toBe(1);
    expect((await context.request.get(`${server.url}/api/albums/${album.id}`)).status()).toBe(404);
    expect((await libraryAssets(context, server.url)).map((a) => a.filename).sort()).toEqual(
      [...PHOTOS].sort(),
    );
  });

  it('"Add a folder once" also makes an album named after the folder, with its new and known photos', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'shoebox-folder-'));
    try {
      // Landscape_0.jpg is in the library already (the check finds it); Portrait_4.jpg is new.
      const folder = join(parent, 'Rome 2024');
      mkdirSync(folder);
      for (const name of FOLDER) copyFileSync(join(CORPUS_DIR, name), join(folder, name));
      await page.goto(`${server.url}/backup`);
      await page.getByTestId('add-folder-input').setInputFiles(folder);
      const dialog = page.getByTestId('folder-dialog');
      await dialog.getByRole('checkbox', { name: 'Also make an album named “Rome 2024”' }).check();
      await measure(page, 'folder-dialog');
      await dialog.getByRole('button', { name: 'Back up' }).click();

      const inAlbum = async (): Promise<string[]> => {
        const { albums } = (await (await context.request.get(`${server.url}/api/albums`)).json()) as {
          albums: Album[];
        };
        const made = albums.filter((a) => a.name === 'Rome 2024');
        if (made.length !== 1) return [`${made.length} albums`];
        const listing = (await (
          await context.request.get(`${server.url}/api/albums/${made[0]!.id}/assets`)
        ).json()) as { items: { id: string }[] };
        return listing.items.map((item) => item.id).sort();
      };
      await expect.poll(inAlbum, SLOW).toHaveLength(FOLDER.length);
      assets = await libraryAssets(context, server.url);
      expect(await inAlbum()).toEqual(ids(FOLDER));
      expect(assets.filter((a) => a.filename === 'Landscape_0.jpg')).toHaveLength(1);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
