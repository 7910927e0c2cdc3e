import { describe, expect, it } from 'vitest';
import type { UploadSession } from './item';
import { FakeServer, ORIGIN } from './testing/fakeServer';
import { uploadBlob } from './upload';
import type { UploadRequest } from './upload';

async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function request(
  server: FakeServer,
  blob: Blob,
  overrides: Partial<UploadRequest> = {},
): Promise<UploadRequest & { sessions: UploadSession[] }> {
  const sha256 = await sha256Hex(blob);
  const sessions: UploadSession[] = [];
  return {
    blob,
    metadata: {
      filename: 'photo.jpg',
      type: 'image/jpeg',
      sha256,
      sourceSha256: sha256,
      capturedAt: '2020-01-01T10:00:00',
    },
    session: null,
    endpoint: `${ORIGIN}/api/uploads`,
    saveSession: (session) => {
      sessions.push(session);
      return Promise.resolve();
    },
    fetch: server.fetch,
    chunkSize: 8 * 1024 * 1024,
    sessions,
    ...overrides,
  };
}

describe('uploadBlob', () => {
  it('sends a file that fits one chunk with the request that creates its upload, and nothing else', async () => {
    const server = new FakeServer();
    const req = await request(server, new Blob(['abc']));

    const result = await uploadBlob(req);

    expect(result).toEqual({
      kind: 'uploaded',
      assetId: expect.stringMatching(/^asset-/) as unknown,
      outcome: 'created',
    });
    expect(server.requests).toEqual([{ method: 'POST', path: '/api/uploads', bytes: 3 }]);
    // The answer that gave the URL also completed the upload: the item becomes done next, so
    // nothing is written for the session (one IndexedDB transaction less per photo).
    expect(req.sessions).toEqual([]);
  });

  it('uploads in chunks, saving the URL and each confirmed offset, and returns the asset', async () => {
    const server = new FakeServer();
    const blob = new Blob(['0123456789']);
    const req = await request(server, blob, { chunkSize: 4 });

    const result = await uploadBlob(req);

    expect(result).toEqual({
      kind: 'uploaded',
      assetId: expect.stringMatching(/^asset-/) as unknown,
      outcome: 'created',
    });
    expect(req.sessions).toEqual([
      { url: `${ORIGIN}/api/uploads/1`, offset: 4 },
      { url: `${ORIGIN}/api/uploads/1`, offset: 8 },
    ]);
    // The first chunk rides on the creation (tus creation-with-upload).
    expect(server.requests.map((r) => [r.method, r.bytes])).toEqual([
      ['POST', 4],
      ['PATCH', 4],
      ['PATCH', 2],
    ]);
    expect([...server.assets.values()][0]).toMatchObject({ filename: 'photo.jpg', bytes: 10 });
  });

  it('resumes from the saved URL at the offset the server confirms', async () => {
    const server = new FakeServer();
    const blob = new Blob(['0123456789']);
    const first = await request(server, blob, { chunkSize: 4 });
    // The creation and its first chunk get through; the first PATCH has no answer (the connection drops).
    let patches = 0;
    first.fetch = (input, init) => {
      if (init.method === 'PATCH' && ++patches === 1) return Promise.reject(new TypeError('Failed to fetch'));
      return server.fetch(input, init);
    };
    const failed = await uploadBlob(first);
    expect(failed.kind).toBe('error');
    const saved = first.sessions.at(-1);
    expect(saved).toEqual({ url: `${ORIGIN}/api/uploads/1`, offset: 4 });

    const before = server.requests.length;
    const second = await request(server, blob, { chunkSize: 4, session: saved ?? null });
    const result = await uploadBlob(second);
    expect(result.kind).toBe('uploaded');
    const resumed = server.requests.slice(before);
    expect(resumed.map((r) => r.method)).toEqual(['HEAD', 'PATCH', 'PATCH']);
    expect(resumed.reduce((sum, r) => sum + r.bytes, 0)).toBe(6);
  });

  it('starts a new upload when the saved one is gone', async () => {
    const server = new FakeServer();
    const req = await request(server, new Blob(['0123456789']), {
      chunkSize: 4,
      session: { url: `${ORIGIN}/api/uploads/99`, offset: 2 },
    });
    const result = await uploadBlob(req);
    expect(result.kind).toBe('uploaded');
    expect(server.requests.map((r) => [r.method, r.bytes])).toEqual([
      ['HEAD', 0],
      ['POST', 4],
      ['PATCH', 4],
      ['PATCH', 2],
    ]);
    // The new upload's URL replaces the old one in the record, from its first confirmed chunk.
    expect(req.sessions[0]).toEqual({ url: `${ORIGIN}/api/uploads/1`, offset: 4 });
  });

  it('reports the error of a refused upload with its response', async () => {
    const server = new FakeServer();
    server.failNext('POST /api/uploads', { status: 413, code: 'TOO_LARGE' });
    const result = await uploadBlob(await request(server, new Blob(['abc'])));
    expect(result.kind).toBe('error');
    if (result.kind !== 'error') return;
    const response = (result.error as { originalResponse: { getStatus(): number } }).originalResponse;
    expect(response.getStatus()).toBe(413);
  });

  it('stops when a session write fails (the item was removed meanwhile)', async () => {
    const server = new FakeServer();
    const gone = new Error('Queue item x does not exist.');
    const req = await request(server, new Blob(['0123456789']), {
      chunkSize: 2,
      saveSession: () => Promise.reject(gone),
    });
    const result = await uploadBlob(req);
    expect(result).toEqual({ kind: 'error', error: gone });
    expect(server.bytesReceived).toBeLessThan(10);
  });

  it('settles as aborted when the signal fires, without calling tus handlers', async () => {
    const server = new FakeServer();
    const controller = new AbortController();
    const req = await request(server, new Blob(['0123456789']), {
      chunkSize: 2,
      signal: controller.signal,
      saveSession: (session) => {
        if (session.offset >= 4) controller.abort();
        return Promise.resolve();
      },
    });
    expect(await uploadBlob(req)).toEqual({ kind: 'aborted' });
  });

  it('stops after the first chunk when asked, and a new upload resumes from there in other chunks', async () => {
    const server = new FakeServer();
    const blob = new Blob(['0123456789']);
    const chunks: number[] = [];
    const first = await request(server, blob, {
      chunkSize: 2,
      pauseAfterFirstChunk: true,
      onChunk: (bytes) => chunks.push(bytes),
    });
    const paused = await uploadBlob(first);
    expect(paused).toEqual({ kind: 'paused', session: { url: `${ORIGIN}/api/uploads/1`, offset: 2 } });
    expect(chunks).toEqual([2]);

    const rest = await request(server, blob, {
      chunkSize: 4,
      session: paused.kind === 'paused' ? paused.session : null,
      onChunk: (bytes) => chunks.push(bytes),
    });
    expect(await uploadBlob(rest)).toMatchObject({ kind: 'uploaded', outcome: 'created' });
    expect(chunks).toEqual([2, 4, 4]);
    expect(server.requests.map((r) => `${r.method} ${r.bytes}`)).toEqual([
      'POST 2',
      'HEAD 0',
      'PATCH 4',
      'PATCH 4',
    ]);
  });
});
