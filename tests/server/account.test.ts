/**
 * Issue 15, the account routes: changing one's password (the old one stops working, other
 * sessions end), signing out everywhere, storage used on the server, and the owner's Users API
 * (list with storage, turn an account off and on, reset a password; disabled accounts are refused
 * at sign-in, on every session and every token; members cannot reach any of it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageUsage, User, UserSummary } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import {
  api,
  corpusFile,
  createApiToken,
  createMember,
  createOwner,
  login,
  sessionCookie,
  startServer,
  uploadCorpusFile,
  type Account,
  type TestServer,
} from './helpers';

describe('account routes', () => {
  let server: TestServer;
  let owner: Account;
  let member: Account;

  beforeAll(async () => {
    server = await startServer();
    owner = await createOwner(server.baseUrl);
    member = await createMember(server.baseUrl, owner);
  });
  afterAll(async () => {
    await server.close();
  });

  const me = (auth: Account['auth'] | { token: string }) =>
    api<User>(server.baseUrl, 'GET', '/api/me', { auth });

  it('changes a password: the old one stops working, other sessions end, this one stays', async () => {
    const other = await login(server.baseUrl, member.email, member.password);
    const otherAuth = { cookie: sessionCookie(other.headers) };
    expect((await me(otherAuth)).status).toBe(200);

    const wrong = await api<ApiErrorBody>(server.baseUrl, 'POST', '/api/auth/password', {
      auth: member.auth,
      body: { currentPassword: 'not it at all', newPassword: 'a brand new password' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('WRONG_PASSWORD');

    const short = await api(server.baseUrl, 'POST', '/api/auth/password', {
      auth: member.auth,
      body: { currentPassword: member.password, newPassword: 'short' },
    });
    expect(short.status).toBe(400);

    const changed = await api(server.baseUrl, 'POST', '/api/auth/password', {
      auth: member.auth,
      body: { currentPassword: member.password, newPassword: 'a brand new password' },
    });
    expect(changed.status).toBe(204);
    expect((await login(server.baseUrl, member.email, member.password)).status).toBe(401);
    expect((await login(server.baseUrl, member.email, 'a brand new password')).status).toBe(200);
    expect((await me(otherAuth)).status).toBe(401);
    expect((await me(member.auth)).status).toBe(200);
    member = { ...member, password: 'a brand new password' };
  });

  it('signs out everywhere: every session ends, API tokens keep working', async () => {
    const token = await createApiToken(server.baseUrl, member.auth);
    const second = await login(server.baseUrl, member.email, member.password);
    const secondAuth = { cookie: sessionCookie(second.headers) };
    const out = await api(server.baseUrl, 'POST', '/api/auth/logout-everywhere', { auth: member.auth });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/shoebox_session=;/);
    expect((await me(member.auth)).status).toBe(401);
    expect((await me(secondAuth)).status).toBe(401);
    expect((await me({ token: token.token })).status).toBe(200);
    const again = await login(server.baseUrl, member.email, member.password);
    member = { ...member, auth: { cookie: sessionCookie(again.headers) } };
  });

  it('says what the caller stores on the server, library and trash apart', async () => {
    const empty = await api<StorageUsage>(server.baseUrl, 'GET', '/api/me/storage', { auth: member.auth });
    expect(empty.body).toEqual({
      usedBytes: 0,
      quotaBytes: null,
      assets: 0,
      bytes: 0,
      trashAssets: 0,
      trashBytes: 0,
    });
    const kept = await uploadCorpusFile(server.baseUrl, member.auth, 'Canon_40D.jpg');
    const trashed = await uploadCorpusFile(server.baseUrl, member.auth, 'DSCN0010.jpg');
    if (!kept.ok || !trashed.ok) throw new Error('upload failed');
    expect(
      (await api(server.baseUrl, 'DELETE', `/api/assets/${trashed.assetId}`, { auth: member.auth })).status,
    ).toBe(200);
    const usage = await api<StorageUsage>(server.baseUrl, 'GET', '/api/me/storage', { auth: member.auth });
    expect(usage.body).toEqual({
      usedBytes: corpusFile('Canon_40D.jpg').bytes + corpusFile('DSCN0010.jpg').bytes,
      quotaBytes: null,
      assets: 1,
      bytes: corpusFile('Canon_40D.jpg').bytes,
      trashAssets: 1,
      trashBytes: corpusFile('DSCN0010.jpg').bytes,
    });
    // The owner's own storage is the owner's, not the member's.
    const owners = await api<StorageUsage>(server.baseUrl, 'GET', '/api/me/storage', { auth: owner.auth });
    expect(owners.body.assets).toBe(0);
  });

  it('lists accounts with what each stores, for the owner only', async () => {
    const list = await api<UserSummary[]>(server.baseUrl, 'GET', '/api/users', { auth: owner.auth });
    expect(list.status).toBe(200);
    expect(
      list.body.map((user) => [user.email, user.role, user.assets, user.bytes, user.disabledAt]),
    ).toEqual([
      [owner.email, 'owner', 0, 0, null],
      [member.email, 'member', 1, corpusFile('Canon_40D.jpg').bytes + corpusFile('DSCN0010.jpg').bytes, null],
    ]);
    for (const [method, url, body] of [
      ['GET', '/api/users', undefined],
      ['POST', '/api/users', { email: 'x@example.com', name: 'X', password: 'long enough' }],
      ['PATCH', `/api/users/${owner.user.id}`, { disabled: true }],
      ['POST', `/api/users/${owner.user.id}/password`, { password: 'taken over!' }],
    ] as const) {
      const refused = await api<ApiErrorBody>(server.baseUrl, method, url, { auth: member.auth, body });
      expect(refused.status, `${method} ${url}`).toBe(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('turns an account off: refused at sign-in, on its sessions and its tokens; and on again', async () => {
    const token = await createApiToken(server.baseUrl, member.auth);
    const off = await api<UserSummary>(server.baseUrl, 'PATCH', `/api/users/${member.user.id}`, {
      auth: owner.auth,
      body: { disabled: true },
    });
    expect(off.status).toBe(200);
    expect(off.body.disabledAt).not.toBeNull();
    expect((await me(member.auth)).status).toBe(401);
    expect((await me({ token: token.token })).status).toBe(401);
    const upload = await uploadCorpusFile(server.baseUrl, { token: token.token }, 'Canon IXUS.jpg');
    expect(upload.ok).toBe(false);
    if (!upload.ok) expect(upload.status).toBe(401);
    const refused = await login(server.baseUrl, member.email, member.password);
    expect(refused.status).toBe(403);
    expect((refused.body as ApiErrorBody).error.code).toBe('ACCOUNT_DISABLED');
    // A wrong password learns nothing about the account.
    const guess = await login(server.baseUrl, member.email, 'a wrong guess');
    expect((guess.body as ApiErrorBody).error.code).toBe('INVALID_CREDENTIALS');

    const on = await api<UserSummary>(server.baseUrl, 'PATCH', `/api/users/${member.user.id}`, {
      auth: owner.auth,
      body: { disabled: false },
    });
    expect(on.body.disabledAt).toBeNull();
    const back = await login(server.baseUrl, member.email, member.password);
    expect(back.status).toBe(200);
    member = { ...member, auth: { cookie: sessionCookie(back.headers) } };
    expect((await me({ token: token.token })).status).toBe(200);
  });

  it("refuses to turn off the owner's own account, and unknown or malformed requests", async () => {
    const self = await api<ApiErrorBody>(server.baseUrl, 'PATCH', `/api/users/${owner.user.id}`, {
      auth: owner.auth,
      body: { disabled: true },
    });
    expect(self.status).toBe(400);
    expect(self.body.error.message).toBe("You can't turn off your own account.");
    expect((await me(owner.auth)).status).toBe(200);
    const unknown = await api(server.baseUrl, 'PATCH', '/api/users/no-such-user', {
      auth: owner.auth,
      body: { disabled: true },
    });
    expect(unknown.status).toBe(404);
    const empty = await api(server.baseUrl, 'PATCH', `/api/users/${member.user.id}`, {
      auth: owner.auth,
      body: {},
    });
    expect(empty.status).toBe(400);
    // Fields the route does not take are dropped, never applied: the member stays a member.
    const extra = await api<UserSummary>(server.baseUrl, 'PATCH', `/api/users/${member.user.id}`, {
      auth: owner.auth,
      body: { role: 'owner', disabled: false },
    });
    expect(extra.status).toBe(200);
    expect(extra.body.role).toBe('member');
  });

  it("sets a member's storage quota, which the member sees, and takes it away again", async () => {
    const set = await api<UserSummary>(server.baseUrl, 'PATCH', `/api/users/${member.user.id}`, {
      auth: owner.auth,
      body: { quotaBytes: 5_000_000_000 },
    });
    expect(set.status).toBe(200);
    expect(set.body.quotaBytes).toBe(5_000_000_000);
    const seen = await api<StorageUsage>(server.baseUrl, 'GET', '/api/me/storage', { auth: member.auth });
    expect(seen.body.quotaBytes).toBe(5_000_000_000);
    expect((await me(member.auth)).body.quotaBytes).toBe(5_000_000_000);
    for (const quotaBytes of [-1, 1.5, 'lots']) {
      const refused = await api(server.baseUrl, 'PATCH', `/api/users/${member.user.id}`, {
        auth: owner.auth,
        body: { quotaBytes },
      });
      expect(refused.status, String(quotaBytes)).toBe(400);
    }
    const cleared = await api<UserSummary>(server.baseUrl, 'PATCH', `/api/users/${member.user.id}`, {
      auth: owner.auth,
      body: { quotaBytes: null },
    });
    expect(cleared.body.quotaBytes).toBeNull();
  });

  it("resets a member's password: their sessions end, the new password signs in", async () => {
    const reset = await api(server.baseUrl, 'POST', `/api/users/${member.user.id}/password`, {
      auth: owner.auth,
      body: { password: 'set by the owner' },
    });
    expect(reset.status).toBe(204);
    expect((await me(member.auth)).status).toBe(401);
    expect((await login(server.baseUrl, member.email, member.password)).status).toBe(401);
    expect((await login(server.baseUrl, member.email, 'set by the owner')).status).toBe(200);
    const unknown = await api(server.baseUrl, 'POST', '/api/users/no-such-user/password', {
      auth: owner.auth,
      body: { password: 'set by the owner' },
    });
    expect(unknown.status).toBe(404);
  });
});
