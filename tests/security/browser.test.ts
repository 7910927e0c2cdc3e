/**
 * Issue 18, the abuse suite in Chromium: every page of the built app carries the security headers
 * and runs under its Content-Security-Policy without a single violation; names and EXIF fields
 * that carry markup are shown as text and run nothing; another site cannot frame the library.
 */
import { createServer, type Server } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { record } from '../support/probe-table';
import {
  createOwnerThroughUi,
  launchChromium,
  libraryAssets,
  removeDir,
  startServer,
  waitForServiceWorker,
  type Browser,
  type BrowserContext,
  type Page,
  type RunningServer,
} from '../e2e/harness';

/** Each one sets a mark on window if it ever runs. */
const PAYLOADS = {
  name: '"><img src=x onerror="window.__xss=\'name\'">.jpg',
  make: '<script>window.__xss="make"</script>',
  model: '<img src=x onerror="window.__xss=\'model\'">',
};

/** Listens for CSP violations from the first script on, in every page of the context. */
const WATCH_VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
`;

const REQUIRED_HEADERS = [
  'content-security-policy',
  'x-content-type-options',
  'referrer-policy',
  'x-frame-options',
  'cross-origin-opener-policy',
];

function missingHeaders(headers: Record<string, string>): string[] {
  const missing = REQUIRED_HEADERS.filter((name) => headers[name] === undefined);
  const csp = headers['content-security-policy'] ?? '';
  if (csp.includes('unsafe-inline')) missing.push("CSP allows 'unsafe-inline'");
  if (!csp.includes("frame-ancestors 'none'")) missing.push("frame-ancestors 'none'");
  if (headers['x-content-type-options'] !== 'nosniff') missing.push('nosniff');
  return missing;
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []);
}

async function xssMark(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null);
}

describe('the app under its security headers (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(WATCH_VIOLATIONS);
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });
  afterAll(async () => {
    await context.close();
    await browser.close();
    await server.stop();
    removeDir(server.dataDir);
  });

  it('serves every page with the headers and runs it without a CSP violation', async () => {
    await createOwnerThroughUi(page, server.url);
    await waitForServiceWorker(page);
    const pages = ['/backup', '/library', '/settings', '/trash'];
    const seen: string[] = [];
    for (const path of pages) {
      const response = await page.goto(`${server.url}${path}`);
      if (response === null) throw new Error(`No response for ${path}`);
      // The service worker answers navigations from its precache: ask the server too.
      const direct = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
      const headers = Object.fromEntries(direct.headers);
      await page.waitForLoadState('networkidle');
      const problems = [...missingHeaders(headers), ...(await violations(page))];
      seen.push(`${path}: ${problems.length === 0 ? 'ok' : problems.join('; ')}`);
    }
    for (const path of ['/api/config', '/sw.js', '/manifest.webmanifest', '/no-such-thing']) {
      const direct = await fetch(`${server.url}${path}`);
      const problems = missingHeaders(Object.fromEntries(direct.headers));
      seen.push(`${path} (${direct.status}): ${problems.length === 0 ? 'ok' : problems.join('; ')}`);
    }
    const bad = seen.filter((line) => !line.endsWith(': ok'));
    record({
      area: 'headers',
      did: `${seen.length} pages and files fetched, 4 rendered in Chromium`,
      saw:
        bad.length === 0 ? 'CSP without unsafe-inline, nosniff, frame-ancestors none: all' : bad.join(' | '),
      ok: bad.length === 0,
    });
    expect(bad).toEqual([]);
  });

  it('shows names and EXIF that carry markup as text, and runs none of it', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6' } })
      .jpeg()
      .withExif({ IFD0: { Make: PAYLOADS.make, Model: PAYLOADS.model } })
      .toBuffer();
    await page.goto(`${server.url}/backup`);
    await page
      .getByTestId('add-photos-input')
      .setInputFiles({ name: PAYLOADS.name, mimeType: 'image/jpeg', buffer: jpeg });
    await expect.poll(() => page.getByTestId('queue-item').first().textContent()).toContain(PAYLOADS.name);
    await expect
      .poll(async () => (await libraryAssets(context, server.url)).length, { timeout: 60_000 })
      .toBe(1);
    const [asset] = await libraryAssets(context, server.url);
    await page.goto(`${server.url}/library/${asset?.id ?? ''}`);
    await page.getByRole('button', { name: 'Info' }).click();
    const info = page.getByTestId('viewer-info');
    await expect.poll(() => info.textContent()).toContain(PAYLOADS.name);
    await expect.poll(() => info.textContent()).toContain(PAYLOADS.make);
    await page.goto(`${server.url}/library`);
    await page.waitForLoadState('networkidle');
    const mark = await xssMark(page);
    const injected = await page.evaluate(
      () =>
        document.querySelectorAll('img[src="x"]').length +
        [...document.scripts].filter((script) => script.text.includes('__xss')).length,
    );
    record({
      area: 'XSS',
      did: 'file name and EXIF Make/Model with markup, through queue, library, viewer and info',
      saw: `ran: ${String(mark)}, dialogs: ${dialogs.length}, injected elements: ${injected}`,
      ok: mark === null && dialogs.length === 0 && injected === 0,
    });
    expect(mark).toBeNull();
    expect(injected).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await violations(page)).toEqual([]);
  });

  it('cannot be framed by another site', async () => {
    const framer: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><iframe id="f" src="${server.url}/library"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    try {
      const address = framer.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const other = await context.newPage();
      await other.goto(`http://localhost:${port}/`);
      await other.waitForLoadState('load');
      const child = other.frames().find((frame) => frame !== other.mainFrame());
      const loaded = await child?.evaluate(() => document.querySelector('#app') !== null).catch(() => false);
      record({
        area: 'framing',
        did: 'the library in an iframe on another origin',
        saw: loaded === true ? 'rendered inside the other site' : 'blocked',
        ok: loaded !== true,
      });
      expect(loaded).not.toBe(true);
      await other.close();
    } finally {
      await new Promise((resolve) => framer.close(resolve));
    }
  });
});
