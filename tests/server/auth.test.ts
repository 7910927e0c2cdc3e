import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiToken, ConfigResponse, User } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { DEFAULT_LIMITS } from '../../src/shared/limits';
import {
  api,
  createApiToken,
  createMember,
  createOwner,
  login,
  sessionCookie,
  startServer,
  type Account,
  type TestServer,
} from './helpers';

describe('accounts and sessions', () => {
  let server: TestServer;
  let owner: Account;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('asks for setup on a fresh server, and only then', async () => {
    const before = await api<ConfigResponse>(server.baseUrl, 'GET', '/api/config');
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      limits: DEFAULT_LIMITS,
      setupRequired: true,
      tus: { endpoint: '/api/uploads', maxChunkBytes: 64 * 1024 * 1024 },
    });

    owner = await createOwner(server.baseUrl, { email: 'Owner@Example.com' });
    expect(owner.user).toMatchObject({ email: 'owner@example.com', name: 'Owner', role: 'owner' });

    const after = await api<ConfigResponse>(server.baseUrl, 'GET', '/api/config');
    expect(after.body.setupRequired).toBe(false);
  });

  it('refuses a second setup with 409', async () => {
    const second = await api<ApiErrorBody>(server.baseUrl, 'POST', '/api/setup', {
      body: { email: 'intruder@example.com', name: 'Intruder', password: 'long enough' },
    });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('SETUP_ALREADY_DONE');
  });

  it('lets only one of two racing setups win', async () => {
    const fresh = await startServer();
    try {
      const attempts = await Promise.all(
        ['a@example.com', 'b@example.com', 'c@example.com'].map((email) =>
          api(fresh.baseUrl, 'POST', '/api/setup', {
            body: { email, name: 'Racer', password: 'long enough' },
          }),
        ),
      );
      expect(attempts.map((attempt) => attempt.status).sort()).toEqual([201, 409, 409]);
    } finally {
      await fresh.close();
    }
  });

  it('sets an HttpOnly, SameSite=Lax session cookie for 30 days', async () => {
    const response = await login(server.baseUrl, owner.email, owner.password);
    const setCookie = response.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/^shoebox_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');
    const expires = Date.parse(/Expires=([^;]+)/.exec(setCookie)?.[1] ?? '');
    expect(expires - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
  });

  it('marks the cookie Secure behind an HTTPS proxy it trusts', async () => {
    const proxied = await startServer({ env: { TRUST_PROXY: '1' } });
    try {
      const response = await api(proxied.baseUrl, 'POST', '/api/setup', {
        body: { email: 'a@example.com', name: 'A', password: 'long enough' },
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(response.headers.getSetCookie().join('\n')).toContain('Secure');
    } finally {
      await proxied.close();
    }
  });

  it('signs in, says who is signed in, and signs out', async () => {
    const signedIn = await login(server.baseUrl, 'OWNER@example.com', owner.password);
    expect(signedIn.status).toBe(200);
    const auth = { cookie: sessionCookie(signedIn.headers) };

    const me = await api<User>(server.baseUrl, 'GET', '/api/me', { auth });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(owner.user);

    const out = await api(server.baseUrl, 'POST', '/api/auth/logout', { auth });
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie().join('\n');
    expect(cleared).toMatch(/^shoebox_session=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);

    const after = await api<ApiErrorBody>(server.baseUrl, 'GET', '/api/me', { auth });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers a wrong password and an unknown email alike with 401', async () => {
    const wrong = await login(server.baseUrl, owner.email, 'not the password');
    const unknown = await login(server.baseUrl, 'nobody@example.com', 'not the password');
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        error: { code: 'INVALID_CREDENTIALS', message: 'That email and password do not match an account.' },
      });
    }
  });

  it('rate-limits repeated failures for an email and address with 429', async () => {
    const email = 'target@example.com';
    await api(server.baseUrl, 'POST', '/api/users', {
      auth: owner.auth,
      body: { email, name: 'Target', password: 'right password' },
    });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await login(server.baseUrl, email, 'wrong password')).status).toBe(401);
    }
    const blocked = await login(server.baseUrl, email, 'right password');
    expect(blocked.status).toBe(429);
    expect((blocked.body as ApiErrorBody).error.code).toBe('RATE_LIMITED');
    // Other accounts are unaffected.
    expect((await login(server.baseUrl, owner.email, owner.password)).status).toBe(200);
  });

  it('validates bodies with a sentence', async () => {
    const response = await api<ApiErrorBody>(server.baseUrl, 'POST', '/api/auth/login', {
      body: { email: 'x@y.z' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({ code: 'BAD_REQUEST', message: '"password" is required.' });

    const broken = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' },
    });
  });

  it('lets the owner add accounts, and no one else', async () => {
    const member = await createMember(server.baseUrl, owner);
    expect(member.user.role).toBe('member');

    const taken = await api<ApiErrorBody>(server.baseUrl, 'POST', '/api/users', {
      auth: owner.auth,
      body: { email: 'MEMBER@example.com', name: 'Again', password: 'long enough' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('EMAIL_TAKEN');

    const users = await api<User[]>(server.baseUrl, 'GET', '/api/users', { auth: owner.auth });
    expect(users.body.map((user) => user.email)).toContain('member@example.com');

    for (const [method, body] of [
      ['GET', undefined],
      ['POST', { email: 'x@example.com', name: 'X', password: 'long enough' }],
    ] as const) {
      const forbidden = await api<ApiErrorBody>(server.baseUrl, method, '/api/users', {
        auth: member.auth,
        body,
      });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.code).toBe('FORBIDDEN');
    }
  });
});

describe('API tokens', () => {
  let server: TestServer;
  let owner: Account;

  beforeAll(async () => {
    server = await startServer();
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('are shown once, then listed without their secret', async () => {
    const created = await createApiToken(server.baseUrl, owner.auth, 'backup script');
    expect(created.token).toMatch(/^sbx_[A-Za-z0-9_-]{43}$/);
    expect(created.lastUsedAt).toBeNull();

    const list = await api<ApiToken[]>(server.baseUrl, 'GET', '/api/tokens', { auth: owner.auth });
    expect(list.body).toEqual([
      {
        id: created.id,
        name: 'backup script',
        scope: 'full',
        createdAt: created.createdAt,
        lastUsedAt: null,
        expiresAt: null,
      },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(created.token);
  });

  it('authenticate as Bearer and record their use; once revoked they do not', async () => {
    const { id, token } = await createApiToken(server.baseUrl, owner.auth);
    const me = await api<User>(server.baseUrl, 'GET', '/api/me', { auth: { token } });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(owner.user.id);

    const list = await api<ApiToken[]>(server.baseUrl, 'GET', '/api/tokens', { auth: { token } });
    expect(list.body.find((item) => item.id === id)?.lastUsedAt).not.toBeNull();

    expect((await api(server.baseUrl, 'DELETE', `/api/tokens/${id}`, { auth: owner.auth })).status).toBe(204);
    const revoked = await api<ApiErrorBody>(server.baseUrl, 'GET', '/api/me', { auth: { token } });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('cannot be revoked by another user', async () => {
    const { id, token } = await createApiToken(server.baseUrl, owner.auth);
    const member = await createMember(server.baseUrl, owner);
    const attempt = await api<ApiErrorBody>(server.baseUrl, 'DELETE', `/api/tokens/${id}`, {
      auth: member.auth,
    });
    expect(attempt.status).toBe(404);
    expect((await api(server.baseUrl, 'GET', '/api/me', { auth: { token } })).status).toBe(200);
  });

  it('reject a malformed Authorization header even beside a valid cookie', async () => {
    const response = await api(server.baseUrl, 'GET', '/api/me', {
      headers: { cookie: owner.auth.cookie, authorization: 'Bearer sbx_not-a-token' },
    });
    expect(response.status).toBe(401);
  });
});

describe('session expiry', () => {
  it('ends a session after 30 days', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const server = await startServer({ app: { now: () => now } });
    try {
      const owner = await createOwner(server.baseUrl);
      expect((await api(server.baseUrl, 'GET', '/api/me', { auth: owner.auth })).status).toBe(200);
      now = new Date('2030-01-31T00:00:01Z');
      expect((await api(server.baseUrl, 'GET', '/api/me', { auth: owner.auth })).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
