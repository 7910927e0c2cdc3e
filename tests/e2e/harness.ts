/**
 * End-to-end harness: the real built server on a random port with a temporary data directory, and
 * Debian's Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Asset, AssetPage } from '../../src/shared/api';
import { REPO_ROOT } from '../support/corpus';
import { uploadCorpusFile } from '../support/client';

export const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** Flags for Chromium on a machine with no outside network (see the README). */
export const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server printed, for failure messages. */
  output: () => string;
  /** SIGTERM and wait; SIGKILL for a crash. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

export interface ServerOptions {
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
  /**
   * The server speaks HTTPS (SHOEBOX_TLS_CERT and SHOEBOX_TLS_KEY in `env`) with a certificate
   * signed by this PEM, which the start-up probe trusts.
   */
  tlsCa?: string;
  /** Options for node itself, before the script (`--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

/** Whether GET `url` answers 2xx; over TLS, trusting only `ca` (Node's fetch takes no CA). */
function answers(url: string, ca: string | undefined): Promise<boolean> {
  if (ca === undefined) return fetch(url).then((response) => response.ok);
  return new Promise((resolve, reject) => {
    const request = httpsGet(url, { ca }, (response) => {
      response.resume();
      resolve((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300);
    });
    request.on('error', reject);
  });
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'shoebox-e2e-'));
  const port = options.port ?? (await freePort());
  let output = '';
  const args = [...(options.nodeArgs ?? []), '--enable-source-maps', join(REPO_ROOT, 'build/server/main.js')];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SHOEBOX_DATA_DIR: dataDir,
      SHOEBOX_STATIC_DIR: join(REPO_ROOT, 'dist'),
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `${options.tlsCa === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited at start:\n${output}`);
    try {
      if (await answers(`${url}/api/health`, options.tlsCa)) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The server did not answer /api/health within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    port,
    dataDir,
    process: child,
    output: () => output,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROME_PATH,
    args: [...CHROME_ARGS, ...extraArgs],
    headless: true,
  });
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/**
 * Limits the page's upload bandwidth (its service worker's uploads follow it), so that a test can
 * act while an upload is still running or between two of its chunks.
 */
export async function throttleUpload(
  context: BrowserContext,
  page: Page,
  bytesPerSecond: number,
): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
}

/** One server, Chromium, a context and a page, shared by the tests of a describe block. */
export interface SharedSession {
  server: RunningServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

export interface SharedSessionOptions {
  server?: ServerOptions;
  chromiumArgs?: string[];
  context?: BrowserContextOptions;
  /** Corpus files uploaded to a new owner account, whose session the context then holds. */
  seed?: readonly string[];
}

/**
 * Opens a SharedSession for a block's beforeAll; closeSession closes it in afterAll. If opening
 * fails midway, what it opened is closed before the error goes on.
 */
export async function openSession(options: SharedSessionOptions = {}): Promise<SharedSession> {
  const opened: Partial<SharedSession> = {};
  try {
    opened.server = await startServer(options.server);
    opened.browser = await launchChromium(options.chromiumArgs);
    const context = await opened.browser.newContext(options.context);
    opened.context = context;
    if (options.seed !== undefined) {
      await createOwnerThroughApi(context, opened.server.url);
      await uploadCorpusAsOwner(context, opened.server.url, options.seed);
    }
    return { server: opened.server, browser: opened.browser, context, page: await context.newPage() };
  } catch (error) {
    await closeSession(opened);
    throw error;
  }
}

/** Closes whatever parts of a SharedSession exist and removes the server's data. */
export async function closeSession(session: Partial<SharedSession>): Promise<void> {
  await session.context?.close();
  await session.browser?.close();
  if (session.server !== undefined) {
    await session.server.stop();
    removeDir(session.server.dataDir);
  }
}

/** A signed-in context and a page on /backup that the service worker controls. */
export interface SignedInPage {
  context: BrowserContext;
  page: Page;
}

/**
 * What a test file that gives each test a fresh server needs: Chromium launched once for the file,
 * and clean-ups (contexts closed, servers stopped and their data removed) run after each test,
 * latest first, whether it passed or not. Call it at the top level of the file.
 */
export interface PerTestScope {
  readonly browser: Browser;
  /** Runs `cleanup` after the current test, before the ones deferred earlier. */
  defer(cleanup: () => Promise<void> | void): void;
  /** A fresh server on a random port with an empty data directory, for this test. */
  server(options?: ServerOptions): Promise<RunningServer>;
  /** Creates the owner on `server` in a new context and opens /backup under the service worker. */
  signedInPage(server: RunningServer, options?: { initScript?: string }): Promise<SignedInPage>;
  /** Both of the above: a fresh server and a signed-in page on it. */
  setUp(options?: { initScript?: string }): Promise<SignedInPage & { server: RunningServer }>;
}

export function perTestScope(): PerTestScope {
  let browser: Browser | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const scope: PerTestScope = {
    get browser(): Browser {
      if (browser === undefined) throw new Error('Chromium is launched in beforeAll, before any test');
      return browser;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    async server(options = {}) {
      const running = await startServer(options);
      cleanups.push(async () => {
        await running.stop();
        removeDir(running.dataDir);
      });
      return running;
    },
    async signedInPage(running, options = {}) {
      const context = await scope.browser.newContext();
      cleanups.push(() => context.close());
      if (options.initScript !== undefined) await context.addInitScript(options.initScript);
      await createOwnerThroughApi(context, running.url);
      const page = await context.newPage();
      await page.goto(`${running.url}/backup`);
      await waitForServiceWorker(page);
      return { context, page };
    },
    async setUp(options = {}) {
      const server = await scope.server();
      return { server, ...(await scope.signedInPage(server, options)) };
    },
  };
  return scope;
}

/** Waits until a service worker controls the page, so the app shell is precached. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller) return;
    await new Promise<void>((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
    );
  });
}

export async function createOwnerThroughUi(
  page: Page,
  baseUrl: string,
  account = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery' },
): Promise<typeof account> {
  await page.goto(baseUrl);
  await page.waitForURL(/\/setup$/);
  await page.getByLabel('Name').fill(account.name);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/backup$/);
  return account;
}

export type { Browser, BrowserContext, Page };

export const OWNER = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery' };

/** Creates the owner account through the API; the context keeps the session cookie (pages and SW). */
export async function createOwnerThroughApi(context: BrowserContext, baseUrl: string): Promise<void> {
  const response = await context.request.post(`${baseUrl}/api/setup`, { data: OWNER });
  if (!response.ok()) throw new Error(`setup failed: ${response.status()} ${await response.text()}`);
}

/**
 * Uploads corpus files to the context's account from Node, through tus with its session cookie:
 * a library seeded without going through the page.
 */
export async function uploadCorpusAsOwner(
  context: BrowserContext,
  baseUrl: string,
  filenames: readonly string[],
): Promise<void> {
  const session = (await context.cookies(baseUrl)).find((cookie) => cookie.name === 'shoebox_session');
  if (session === undefined) throw new Error('the context has no session cookie');
  for (const filename of filenames) {
    const result = await uploadCorpusFile(baseUrl, { cookie: `${session.name}=${session.value}` }, filename);
    if (!result.ok) throw new Error(`${filename}: ${result.status} ${JSON.stringify(result.error)}`);
  }
}

/** Signs the context in again (after a server restart the cookie stays valid: sessions are in the DB). */
export async function signIn(context: BrowserContext, baseUrl: string): Promise<void> {
  const response = await context.request.post(`${baseUrl}/api/auth/login`, {
    data: { email: OWNER.email, password: OWNER.password },
  });
  if (!response.ok()) throw new Error(`login failed: ${response.status()} ${await response.text()}`);
}

/** An asset as `GET /api/assets` lists it (src/shared/api.ts). */
export type LibraryAsset = Asset;

/**
 * The signed-in library as the server has it, asked from Node with the context's cookies: works
 * with no page open and whatever the context's offline emulation says.
 */
export async function libraryAssets(context: BrowserContext, baseUrl: string): Promise<LibraryAsset[]> {
  const assets: LibraryAsset[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '?limit=500' : `?limit=500&cursor=${encodeURIComponent(cursor)}`;
    const response = await context.request.get(`${baseUrl}/api/assets${query}`);
    if (!response.ok()) throw new Error(`GET /api/assets: ${response.status()}`);
    const page = (await response.json()) as AssetPage;
    assets.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return assets;
}

/**
 * Fires a Background Sync `sync` event at the origin's service worker through DevTools
 * (ServiceWorker.dispatchSyncEvent), as Chromium would on its own. `page` only carries the CDP
 * session; it may be about:blank.
 */
export async function dispatchSyncEvent(page: Page, origin: string, tag = 'shoebox-upload'): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const found = registrations.find(
          (registration) => registration.scopeURL.startsWith(origin) && !registration.isDeleted,
        );
        if (found) resolve(found.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin,
      registrationId: await registrationId,
      tag,
      lastChance: false,
    });
  } finally {
    await cdp.detach();
  }
}

/** The queue records of the app's IndexedDB, read in `page` (which must be on the app's origin). */
export async function queueRecords(
  page: Page,
): Promise<{ id: string; name: string; state: string; upload: { url: string; offset: number } | null }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('shoebox');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const request = db.transaction('items').objectStore('items').getAll();
          request.onsuccess = () => {
            db.close();
            resolve(request.result);
          };
          request.onerror = () => reject(request.error ?? new Error('getAll failed'));
        };
      }),
  );
}

/** Counts the queue rows in each state on the Backup screen. */
export async function rowsByState(page: Page): Promise<Record<string, number>> {
  const states = await page
    .getByTestId('queue-item')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-state') ?? ''));
  const counts: Record<string, number> = {};
  for (const state of states) counts[state] = (counts[state] ?? 0) + 1;
  return counts;
}

/** Waits until the page's service worker registration has the Background Sync tag pending. */
export async function waitForSyncRegistration(page: Page, tag = 'shoebox-upload'): Promise<void> {
  await page.waitForFunction(async (wanted) => {
    const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
      sync?: { getTags(): Promise<string[]> };
    };
    return (await registration.sync?.getTags())?.includes(wanted) === true;
  }, tag);
}

/**
 * Waits until the `backup` record of the app's IndexedDB `settings` store (src/queue/schema.ts),
 * which the drain reads, has `key` set to `value`: a setting changed in the UI is saved
 * asynchronously, and navigating away at once could race the write.
 */
export async function waitForStoredSetting(page: Page, key: string, value: unknown): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(
          (wanted) =>
            new Promise<unknown>((resolve, reject) => {
              const open = indexedDB.open('shoebox');
              open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
              open.onsuccess = () => {
                const request = open.result.transaction('settings').objectStore('settings').get('backup');
                request.onsuccess = () => {
                  resolve((request.result as Record<string, unknown> | undefined)?.[wanted]);
                  open.result.close();
                };
                request.onerror = () => reject(request.error ?? new Error('settings read failed'));
              };
            }),
          key,
        ),
      { timeout: 10_000 },
    )
    .toEqual(value);
}
