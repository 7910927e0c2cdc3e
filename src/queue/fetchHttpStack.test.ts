import { describe, expect, it, vi } from 'vitest';
import { FetchHttpStack } from './fetchHttpStack';

describe('FetchHttpStack', () => {
  it('sends the method, headers and body through fetch and exposes the answer', async () => {
    const fetchStub = vi.fn((_input: string, _init: RequestInit) =>
      Promise.resolve(new Response('accepted', { status: 200, headers: { 'Upload-Offset': '5' } })),
    );
    const request = new FetchHttpStack({ fetch: fetchStub }).createRequest('PATCH', 'http://x/api/uploads/1');
    request.setHeader('Upload-Offset', '0');
    request.setHeader('Tus-Resumable', '1.0.0');
    expect(request.getHeader('upload-offset')).toBe('0');
    const progress: number[] = [];
    request.setProgressHandler((sent) => progress.push(sent));

    const body = new Blob(['hello']);
    const response = await request.send(body);

    expect(fetchStub).toHaveBeenCalledTimes(1);
    const [url, init] = fetchStub.mock.calls[0] ?? [];
    expect(url).toBe('http://x/api/uploads/1');
    expect(init).toMatchObject({
      method: 'PATCH',
      headers: { 'Upload-Offset': '0', 'Tus-Resumable': '1.0.0' },
      body,
      credentials: 'same-origin',
    });
    expect(response.getStatus()).toBe(200);
    expect(response.getHeader('upload-offset')).toBe('5');
    expect(response.getBody()).toBe('accepted');
    expect(progress).toEqual([5]);
    expect(request.getMethod()).toBe('PATCH');
    expect(request.getURL()).toBe('http://x/api/uploads/1');
  });

  it('reports a missing header as undefined', async () => {
    const stack = new FetchHttpStack({ fetch: () => Promise.resolve(new Response(null, { status: 200 })) });
    const response = await stack.createRequest('HEAD', 'http://x/').send(null);
    expect(response.getHeader('Upload-Offset')).toBeUndefined();
  });

  it('aborts the request through abort()', async () => {
    let seen: AbortSignal | undefined;
    const hanging = (_input: string, init: RequestInit): Promise<Response> =>
      new Promise((_resolve, reject) => {
        seen = init.signal ?? undefined;
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    const request = new FetchHttpStack({ fetch: hanging }).createRequest('PATCH', 'http://x/');
    const sending = request.send(new Blob(['x']));
    await request.abort();
    await expect(sending).rejects.toThrow('aborted');
    expect(seen?.aborted).toBe(true);
  });

  it("aborts the request when the drain's signal fires", async () => {
    const controller = new AbortController();
    const hanging = (_input: string, init: RequestInit): Promise<Response> =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    const request = new FetchHttpStack({ fetch: hanging, signal: controller.signal }).createRequest(
      'PATCH',
      'http://x/',
    );
    const sending = request.send(new Blob(['x']));
    controller.abort();
    await expect(sending).rejects.toThrow('aborted');
  });

  it('rejects when fetch has no answer, for tus to report as a failed request', async () => {
    const stack = new FetchHttpStack({ fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(stack.createRequest('POST', 'http://x/').send(null)).rejects.toThrow('Failed to fetch');
  });
});
