/**
 * Issue 2 end to end: a person creates the account, adds six corpus files (the byte-identical
 * Canon IXUS pair among them), and finds five verified assets in the Library; the app shell then
 * loads with the network gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import {
  closeSession,
  createOwnerThroughUi,
  openSession,
  waitForServiceWorker,
  type Browser,
  type BrowserContext,
  type Page,
  type RunningServer,
} from './harness';

const FILES = [
  'Canon IXUS.jpg',
  'canon-ixus.jpg',
  'IMG_20180725_163423.jpg',
  'Olympus μ Digital 800.JPG',
  'with-gps.mp4',
  'Portrait_5.jpg',
].map(corpusFile);

describe('foundation: account, upload, library, offline shell', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, context, page } = await openSession());
  });

  afterAll(() => closeSession({ server, browser, context }));

  it('creates the owner account on first run', async () => {
    await createOwnerThroughUi(page, server.url);
    const me = await page.evaluate(async () => (await fetch('/api/me')).json() as Promise<{ email: string }>);
    expect(me.email).toBe('ada@example.com');
  });

  it('backs up six picked files as five assets with the manifest hashes', async () => {
    await page.getByTestId('add-photos-input').setInputFiles(FILES.map((file) => file.path));

    const items = page.getByTestId('queue-item');
    await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(FILES.length);
    await expect
      .poll(async () => page.locator('[data-testid="queue-item"][data-state="done"]').count(), {
        timeout: 120_000,
        interval: 500,
      })
      .toBe(FILES.length);

    await page.goto(`${server.url}/library`);
    const tiles = page.getByTestId('asset');
    await expect.poll(() => tiles.count(), { timeout: 30_000 }).toBe(5);
    const shown = await tiles.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-sha256')));
    const expected = [...new Set(FILES.map((file) => file.sha256))];
    expect(shown.sort()).toEqual(expected.sort());

    // The server agrees, and stored the bytes the user picked.
    const assets = await page.evaluate(async () => {
      const response = await fetch('/api/assets');
      return ((await response.json()) as { items: { id: string; sha256: string; filename: string }[] }).items;
    });
    expect(assets).toHaveLength(5);
    const pixel = FILES.find((file) => file.filename === 'IMG_20180725_163423.jpg');
    const stored = assets.find((asset) => asset.sha256 === pixel?.sha256);
    expect(stored).toBeDefined();
    const size = await page.evaluate(
      async (id) => (await (await fetch(`/api/assets/${id}/original`)).arrayBuffer()).byteLength,
      stored?.id ?? '',
    );
    expect(size).toBe(pixel?.bytes);
  });

  it('loads the app shell after a reload with the network gone', async () => {
    await waitForServiceWorker(page);
    await context.setOffline(true);
    try {
      await page.reload();
      await expect.poll(() => page.locator('#app').innerText(), { timeout: 15_000 }).toMatch(/Library/);
      expect(await page.title()).toMatch(/Shoebox/);
    } finally {
      await context.setOffline(false);
    }
  });
});
