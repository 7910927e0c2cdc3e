import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../src/shared/errors';
import { api, createOwner, startServer, type Account, type TestServer } from './helpers';

const signIn = (server: TestServer, email: string, password: string, headers: Record<string, string> = {}) =>
  api<ApiErrorBody>(server.baseUrl, 'POST', '/api/auth/login', { body: { email, password }, headers });

describe('the sign-in throttle behind one trusted proxy (TRUST_PROXY=1)', () => {
  let server: TestServer;
  let owner: Account;
  beforeAll(async () => {
    server = await startServer({ env: { TRUST_PROXY: '1' } });
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('counts the address the proxy saw, whatever the client wrote to the left of it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      // The proxy appends the address it saw; everything before it is the client's own writing.
      const headers = { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` };
      statuses.push((await signIn(server, owner.email, 'wrong password', headers)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const other = await signIn(server, owner.email, owner.password, {
      'x-forwarded-for': '203.0.113.8',
    });
    expect(other.status).toBe(200);
  });

  it('lets five of a burst of 400 parallel guesses through, and says when to come back', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.20' };
    const burst = await Promise.all(
      Array.from({ length: 400 }, () => signIn(server, owner.email, 'wrong password', headers)),
    );
    const counts = new Map<number, number>();
    for (const response of burst) counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 401: 5, 429: 395 });
    // The first 30 a minute reach the database's throttle; the rest are refused before it.
    for (const response of burst.filter((r) => r.status === 429)) {
      const { message } = response.body.error;
      const retryAfter = Number(response.headers.get('retry-after'));
      if (message.startsWith('Too many sign-in attempts')) {
        expect(message).toBe('Too many sign-in attempts. Wait 15 minutes and try again.');
        expect(retryAfter).toBeGreaterThan(800);
      } else {
        expect(message).toMatch(/^Too many requests\. Try again in \d+ (seconds|minute)\.$/);
        expect(retryAfter).toBeGreaterThan(0);
      }
    }
  });

  it('refuses sign-ins beyond what the password hashing queue holds, at once, instead of stalling', async () => {
    // Each from its own address, so the throttle lets every one through to the hashing.
    const started = Date.now();
    const flood = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        signIn(server, `nobody${i}@example.com`, 'wrong password', {
          'x-forwarded-for': `192.0.2.${i + 1}`,
        }),
      ),
    );
    const busy = flood.filter((response) => response.status === 429);
    const checked = flood.filter((response) => response.status === 401);
    expect(checked.length + busy.length).toBe(64);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]?.body.error.message).toBe('The server is busy signing people in. Try again in a moment.');
    expect(busy[0]?.headers.get('retry-after')).toBe('1');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
