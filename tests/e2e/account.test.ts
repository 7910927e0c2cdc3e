/**
 * Issue 15, the account screens in Chromium: changing the password in Settings (the old one stops
 * working), API tokens (created with a name and shown once, they work with tus; revoked, they get
 * 401), signing out everywhere, and the owner's Users page (an added person signs in; a member
 * cannot see Users; an account turned off cannot sign in).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, uploadCorpusFile } from '../support/client';
import {
  OWNER,
  closeSession,
  openSession,
  type BrowserContext,
  type Page,
  type RunningServer,
} from './harness';

describe('account screens (Chromium)', () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const close: Parameters<typeof closeSession>[0] = {};
  let password = OWNER.password;
  const member = { name: 'Grace Hopper', email: 'grace@example.com', password: 'cobol forever' };

  beforeAll(async () => {
    const session = await openSession({
      context: { viewport: { width: 390, height: 844 } },
      seed: ['Canon_40D.jpg'],
    });
    Object.assign(close, session);
    ({ server, context, page } = session);
  });

  afterAll(() => closeSession(close));

  it('shows the storage used on the server', async () => {
    await page.goto(`${server.url}/settings`);
    await expect
      .poll(() => page.getByTestId('server-storage').innerText())
      .toMatch(/1 photo or video in your library take 8 KB/);
  });

  it('changes the password: the old one stops working', async () => {
    await page.getByLabel('Current password').fill(password);
    await page.getByLabel('New password').fill('a much better passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('password-changed').waitFor();
    expect((await login(server.url, OWNER.email, password)).status).toBe(401);
    expect((await login(server.url, OWNER.email, 'a much better passphrase')).status).toBe(200);
    password = 'a much better passphrase';
    // This browser stays signed in.
    expect((await context.request.get(`${server.url}/api/me`)).status()).toBe(200);
  });

  it('refuses a wrong current password with a sentence', async () => {
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password').fill('whatever it is now');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() => page.getByRole('alert').innerText(), { timeout: 15_000 })
      .toBe('That is not your current password.');
  });

  it('creates an API token shown once, which uploads with tus; revoked, it gets 401', async () => {
    await page.getByLabel('Token name').fill('NAS sync');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('token-secret').innerText();
    expect(secret).toMatch(/^sbx_/);
    const row = page.getByTestId('api-token').filter({ hasText: 'NAS sync' });
    await expect.poll(() => row.innerText()).toContain('Never used');

    const upload = await uploadCorpusFile(server.url, { token: secret }, 'DSCN0010.jpg');
    expect(upload.ok).toBe(true);
    // Listed with its last use; the secret is not shown again.
    await page.reload();
    await expect.poll(() => row.innerText()).toContain('Last used');
    expect(await page.getByTestId('token-secret').count()).toBe(0);

    // The row goes once the server has answered the DELETE: on a busy machine that takes longer
    // than expect.poll's one second (the upload above queued a thumbnail job), so the test waits
    // for the answer and then for the row to leave, as a user would.
    const deleted = page.waitForResponse(
      (response) => response.request().method() === 'DELETE' && response.url().includes('/api/tokens/'),
    );
    await row.getByRole('button', { name: 'Revoke NAS sync' }).click();
    expect((await deleted).status()).toBe(204);
    await row.waitFor({ state: 'detached' });
    expect(await page.getByTestId('api-token').count()).toBe(0);
    const refused = await uploadCorpusFile(server.url, { token: secret }, 'Canon IXUS.jpg');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.status).toBe(401);
  });

  it('lets the owner add a person, who then signs in and cannot see Users', async () => {
    await page.getByTestId('users-link').click();
    await page.waitForURL(/\/users$/);
    await page.getByLabel('Name', { exact: true }).fill(member.name);
    await page.getByLabel('Email', { exact: true }).fill(member.email);
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Add account' }).click();
    // Adding an account hashes its password (scrypt, one at a time per two cores): seconds on a busy machine.
    await expect.poll(() => page.getByTestId('user').count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('users-notice').innerText()).toContain(member.email);

    const browser = context.browser();
    if (browser === null) throw new Error('no browser');
    const theirs = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const them = await theirs.newPage();
      await them.goto(`${server.url}/login`);
      await them.getByLabel('Email').fill(member.email);
      await them.getByLabel('Password').fill(member.password);
      await them.getByRole('button', { name: 'Sign in' }).click();
      await them.waitForURL(/\/backup$/);
      await them.goto(`${server.url}/settings`);
      await them.getByTestId('signed-in-as').waitFor();
      expect(await them.getByTestId('users-link').count()).toBe(0);
      await them.goto(`${server.url}/users`);
      await them.waitForURL(/\/settings$/);
      expect(await them.getByTestId('user').count()).toBe(0);
      expect((await theirs.request.get(`${server.url}/api/users`)).status()).toBe(403);

      const card = page.getByTestId('user').filter({ hasText: member.email });
      // A storage limit for them, which their Settings show.
      await card.getByTestId('quota-input').fill('2');
      await card.getByRole('button', { name: `Set limit for ${member.name}` }).click();
      await expect.poll(() => card.innerText()).toContain('of 2 GB');
      const storage = await (await theirs.request.get(`${server.url}/api/me/storage`)).json();
      expect(storage).toMatchObject({ quotaBytes: 2_000_000_000 });
      await them.goto(`${server.url}/settings`);
      await expect
        .poll(() => them.getByTestId('server-storage').innerText())
        .toContain('of the 2 GB the owner of this server allows you');

      // Turned off by the owner: signed out, and refused at sign-in with a sentence.
      await card.getByRole('button', { name: `Turn off ${member.name}'s account` }).click();
      await expect.poll(() => card.innerText()).toContain('Turned off');
      expect((await theirs.request.get(`${server.url}/api/me`)).status()).toBe(401);
      const refused = await login(server.url, member.email, member.password);
      expect(refused.status).toBe(403);
      await card.getByRole('button', { name: `Turn on ${member.name}'s account` }).click();
      await expect.poll(() => card.innerText()).not.toContain('Turned off');

      // A reset password replaces theirs.
      await card.getByRole('button', { name: `Reset password of ${member.name}` }).click();
      await page.getByRole('dialog').getByLabel('New password').fill('set by the owner');
      await page.getByRole('dialog').getByRole('button', { name: 'Reset password' }).click();
      await expect
        .poll(() => page.getByTestId('users-notice').innerText(), { timeout: 15_000 })
        .toContain('password is reset');
      expect((await login(server.url, member.email, member.password)).status).toBe(401);
      expect((await login(server.url, member.email, 'set by the owner')).status).toBe(200);
    } finally {
      await theirs.close();
    }
  });

  it('signs out everywhere: this browser goes to sign in, and every other session ends', async () => {
    const other = await login(server.url, OWNER.email, password);
    const cookie = other.headers
      .getSetCookie()
      .map((line) => line.split(';')[0] ?? '')
      .find((pair) => pair.startsWith('shoebox_session='));
    await page.goto(`${server.url}/settings`);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(/\/login/);
    const again = await fetch(`${server.url}/api/me`, { headers: { cookie: cookie ?? '' } });
    expect(again.status).toBe(401);
  });
});
