import { describe, expect, it } from 'vitest';
import { errorBody } from '../shared/errors';
import { ApiError, NetworkError, apiErrorFrom, requestJson } from './http';
import type { FetchFn } from './http';

const answer =
  (status: number, body: string | null): FetchFn =>
  () =>
    Promise.resolve(new Response(body, { status }));

describe('requestJson', () => {
  it('sends JSON with the session cookie and parses the answer', async () => {
    let seen: RequestInit | undefined;
    const fetchFn: FetchFn = (_input, init) => {
      seen = init;
      return Promise.resolve(new Response('{"ok":true}', { status: 200 }));
    };
    expect(await requestJson('/api/x', { method: 'POST', body: { a: 1 }, fetch: fetchFn })).toEqual({
      ok: true,
    });
    expect(seen).toMatchObject({ method: 'POST', body: '{"a":1}', credentials: 'same-origin' });
  });

  it('sends a Blob as itself, with its own type', async () => {
    let seen: RequestInit | undefined;
    const fetchFn: FetchFn = (_input, init) => {
      seen = init;
      return Promise.resolve(new Response(null, { status: 204 }));
    };
    const image = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });
    await requestJson('/api/assets/a/poster', { method: 'POST', body: image, fetch: fetchFn });
    expect(seen?.body).toBe(image);
    expect(seen?.headers).toMatchObject({ 'Content-Type': 'image/jpeg' });
  });

  it('answers undefined for 204', async () => {
    expect(await requestJson('/api/x', { fetch: answer(204, null) })).toBeUndefined();
  });

  it("turns an error body into an ApiError with the server's code and sentence", async () => {
    const error = await requestJson('/api/x', {
      fetch: answer(409, JSON.stringify(errorBody('EMAIL_TAKEN'))),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 409,
      code: 'EMAIL_TAKEN',
      message: 'An account with that email already exists.',
    });
  });

  it('says plainly when there is no answer at all', async () => {
    const fetchFn: FetchFn = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(requestJson('/api/x', { fetch: fetchFn })).rejects.toBeInstanceOf(NetworkError);
  });

  it('passes an abort through unchanged', async () => {
    const controller = new AbortController();
    controller.abort();
    const fetchFn: FetchFn = (_input, init) =>
      Promise.reject(init.signal?.reason instanceof Error ? init.signal.reason : new Error('aborted'));
    await expect(
      requestJson('/api/x', { fetch: fetchFn, signal: controller.signal }),
    ).rejects.not.toBeInstanceOf(NetworkError);
  });
});

describe('apiErrorFrom', () => {
  it('falls back to a sentence for the status when the body is not the API shape', () => {
    expect(apiErrorFrom(502, '<html>Bad gateway</html>').message).toBe(
      'Something went wrong on the server. Try again later.',
    );
    expect(apiErrorFrom(418, '{}').message).toBe('The server answered with an error (HTTP 418).');
  });
});
