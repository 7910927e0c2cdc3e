/**
 * Issue 5, HTTPS: the built server started with SHOEBOX_TLS_CERT and SHOEBOX_TLS_KEY (a self-signed
 * certificate made here) serves the app to Chromium over HTTPS, where the page is a secure context
 * and the service worker registers and takes control; a missing key file stops the server at start
 * with a sentence.
 *
 * Chromium is told to trust this one certificate with `--ignore-certificate-errors-spki-list` (the
 * SHA-256 of its public key), not with the context option `ignoreHTTPSErrors`: with the latter,
 * pages load, but Chromium refuses to register a service worker whose script came over a connection
 * with a certificate error ("An SSL certificate error occurred when fetching the script"), so the
 * app would never work offline. The SPKI flag makes the certificate count as valid, as a real
 * trusted one (mkcert's CA installed on a phone) does.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackCertificate, spkiFingerprint, type Pems } from '../support/certificate';
import {
  closeSession,
  createOwnerThroughUi,
  openSession,
  removeDir,
  startServer,
  waitForServiceWorker,
  type Browser,
  type BrowserContext,
  type RunningServer,
} from './harness';

describe('HTTPS: the app over TLS with a self-signed certificate', () => {
  let dir: string;
  let pems: Pems;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-e2e-tls-'));
    pems = await loopbackCertificate();
    await fs.writeFile(path.join(dir, 'cert.pem'), pems.cert);
    await fs.writeFile(path.join(dir, 'key.pem'), pems.key, { mode: 0o600 });
    ({ server, browser, context } = await openSession({
      server: {
        env: { SHOEBOX_TLS_CERT: path.join(dir, 'cert.pem'), SHOEBOX_TLS_KEY: path.join(dir, 'key.pem') },
        tlsCa: pems.cert,
      },
      chromiumArgs: [`--ignore-certificate-errors-spki-list=${spkiFingerprint(pems.cert)}`],
    }));
  });

  afterAll(async () => {
    await closeSession({ server, browser, context });
    if (dir) removeDir(dir);
  });

  it('loads the app over HTTPS as a secure context and its service worker takes control', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // Through the page: Playwright's Node-side request context would not trust the certificate.
    const page = await context.newPage();
    await createOwnerThroughUi(page, server.url);
    const cookie = (await context.cookies(server.url)).find((c) => c.name === 'shoebox_session');
    expect(cookie?.secure).toBe(true);

    // A new account: the status card has asked the server what it holds (issue 15).
    await expect.poll(() => page.getByTestId('status').innerText()).toBe('Nothing backed up yet');
    expect(
      await page.evaluate(() => ({ secure: window.isSecureContext, protocol: location.protocol })),
    ).toEqual({
      secure: true,
      protocol: 'https:',
    });
    await waitForServiceWorker(page);
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return {
        script: registration.active?.scriptURL ?? null,
        controlled: navigator.serviceWorker.controller !== null,
      };
    });
    expect(worker).toEqual({ script: `${server.url}/sw.js`, controlled: true });
    await page.close();
  });

  it('stops at start with a sentence when the key file is missing', async () => {
    const missing = path.join(dir, 'missing-key.pem');
    const error = await startServer({
      dataDir: path.join(dir, 'data'),
      env: { SHOEBOX_TLS_CERT: path.join(dir, 'cert.pem'), SHOEBOX_TLS_KEY: missing },
      tlsCa: pems.cert,
    }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(String(error)).toContain(
      `shoebox: SHOEBOX_TLS_KEY is ${missing}, which cannot be read: there is no such file.`,
    );
  });
});
