import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConfigResponse, User } from '../../shared/api';
import { errorBody } from '../../shared/errors';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { useSessionStore } from './session';

const ada: User = {
  id: 'u1',
  email: 'ada@example.com',
  name: 'Ada',
  role: 'owner',
  createdAt: '2025-01-01T00:00:00Z',
  quotaBytes: null,
};

function config(setupRequired: boolean): ConfigResponse {
  return { limits: DEFAULT_LIMITS, setupRequired, tus: { endpoint: '/api/uploads', maxChunkBytes: 8 } };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** Answers by "METHOD path". */
function serve(routes: Record<string, () => Response | Promise<Response>>): void {
  vi.stubGlobal('fetch', (input: string, init: RequestInit = {}) => {
    const handler = routes[`${init.method ?? 'GET'} ${input}`];
    return handler ? Promise.resolve(handler()) : Promise.resolve(json(404, errorBody('NOT_FOUND')));
  });
}

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe('session store', () => {
  it('knows a fresh server needs its first account', async () => {
    serve({ 'GET /api/config': () => json(200, config(true)) });
    const session = useSessionStore();
    await session.ensureLoaded();
    expect(session.status).toBe('ready');
    expect(session.setupRequired).toBe(true);
    expect(session.signedIn).toBe(false);
  });

  it('is signed out when /api/me answers 401, and signs in', async () => {
    serve({
      'GET /api/config': () => json(200, config(false)),
      'GET /api/me': () => json(401, errorBody('UNAUTHENTICATED')),
      'POST /api/auth/login': () => json(200, ada),
    });
    const session = useSessionStore();
    await session.ensureLoaded();
    expect(session.signedIn).toBe(false);
    await session.login({ email: ada.email, password: 'correct horse' });
    expect(session.me).toEqual(ada);
  });

  it("shows the server's sentence when signing in fails", async () => {
    serve({ 'POST /api/auth/login': () => json(401, errorBody('INVALID_CREDENTIALS')) });
    await expect(useSessionStore().login({ email: 'x@example.com', password: 'nope' })).rejects.toThrow(
      'That email and password do not match an account.',
    );
  });

  it('opens offline and asks again next time', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const session = useSessionStore();
    await session.ensureLoaded();
    expect(session.status).toBe('unreachable');
    expect(session.problem).toBe("Shoebox can't reach the server. Check the connection.");

    serve({ 'GET /api/config': () => json(200, config(false)), 'GET /api/me': () => json(200, ada) });
    await session.ensureLoaded();
    expect(session.status).toBe('ready');
    expect(session.signedIn).toBe(true);
  });

  it('asks who is signed in without waiting for the configuration', async () => {
    let answerConfig: (response: Response) => void = () => undefined;
    const asked: string[] = [];
    vi.stubGlobal('fetch', (input: string) => {
      asked.push(input);
      if (input === '/api/config') return new Promise<Response>((resolve) => (answerConfig = resolve));
      return Promise.resolve(json(200, ada));
    });
    const session = useSessionStore();
    const loading = session.ensureLoaded();
    expect(asked).toEqual(['/api/me', '/api/config']);
    answerConfig(json(200, config(false)));
    await loading;
    expect(session.me).toEqual(ada);
  });

  it('has no one signed in on a fresh server, whatever /api/me answers', async () => {
    serve({
      'GET /api/config': () => json(200, config(true)),
      'GET /api/me': () => json(500, errorBody('INTERNAL')),
    });
    const session = useSessionStore();
    await session.ensureLoaded();
    expect(session.status).toBe('ready');
    expect(session.signedIn).toBe(false);
  });

  it('signs out', async () => {
    serve({
      'GET /api/config': () => json(200, config(false)),
      'GET /api/me': () => json(200, ada),
      'POST /api/auth/logout': () => new Response(null, { status: 204 }),
    });
    const session = useSessionStore();
    await session.ensureLoaded();
    await session.logout();
    expect(session.signedIn).toBe(false);
  });
});
