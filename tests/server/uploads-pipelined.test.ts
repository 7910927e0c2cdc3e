/**
 * Pipelined PATCHes against the real server: a client (PipeliningHttpStack) sends an upload's next
 * chunk while the last one is still on its way. The server's ContinuationLocker lets that PATCH wait
 * for its turn; with tus's MemoryLocker it would ask the running PATCH to stop (aborted after tus's
 * 3 s lockDrainTimeout) and then fail itself on the offset. Anything else still takes the upload over.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { ASSET_ID_HEADER, TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../src/shared/tus';
import {
  api,
  authHeaders,
  bodyOf,
  corpusFile,
  createOwner,
  encodeMetadata,
  readCorpusFile,
  sha256Hex,
  startServer,
  type Account,
  type TestServer,
} from './helpers';

/** A real photo (the server sniffs and reads it), cut in three chunks. */
const FILENAME = 'IMG_20180725_163423.jpg';
/** Longer than tus's lockDrainTimeout (3 s): a PATCH told to stop would be aborted meanwhile. */
const SLOW_MS = 4_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

interface SlowPatch {
  /** Resolves once the first piece of the body is written. */
  started: Promise<void>;
  /** The answer, or the error when the server cut the connection. */
  done: Promise<Answer | Error>;
  /** How many body bytes were written before the answer or the error. */
  written: () => number;
}

/**
 * A PATCH on its own connection (node:http, not fetch's pool) that declares its Content-Length and
 * sends its body in pieces spread over `totalMs`, as a chunk on a slow link arrives.
 */
function slowPatch(url: URL, headers: Record<string, string>, body: Uint8Array, totalMs: number): SlowPatch {
  const pieces = 20;
  const pieceSize = Math.ceil(body.byteLength / pieces);
  let written = 0;
  let finished = false;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const done = new Promise<Answer | Error>((resolve) => {
    const request = http.request(url, {
      method: 'PATCH',
      agent: new http.Agent({ keepAlive: false }),
      headers: { ...headers, 'content-length': String(body.byteLength) },
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        finished = true;
        // A body cut short by the answer is never ended: let its socket go.
        request.destroy();
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
      });
      response.on('error', (error) => {
        finished = true;
        resolve(error);
      });
    });
    request.on('error', (error) => {
      finished = true;
      resolve(error);
    });
    void (async () => {
      for (let at = 0; at < body.byteLength && !finished; at += pieceSize) {
        const piece = body.subarray(at, at + pieceSize);
        request.write(piece);
        written += piece.byteLength;
        markStarted();
        await sleep(totalMs / pieces);
      }
      if (!finished) request.end();
    })();
  });
  return { started, done, written: () => written };
}

describe('pipelined PATCHes', () => {
  let server: TestServer;
  let owner: Account;
  let bytes: Buffer;
  let chunk: number;
  const expected = corpusFile(FILENAME);

  const tusHeaders = (offset: number): Record<string, string> => ({
    ...authHeaders(owner.auth),
    'tus-resumable': '1.0.0',
    'upload-offset': String(offset),
    'content-type': 'application/offset+octet-stream',
  });

  /** Creates an upload of `bytes` (under its own source hash) with its first chunk on the POST. */
  const create = async (sourceSha256: string): Promise<URL> => {
    const created = await fetch(`${server.baseUrl}${TUS_ENDPOINT}`, {
      method: 'POST',
      headers: {
        ...authHeaders(owner.auth),
        'tus-resumable': '1.0.0',
        'upload-length': String(bytes.byteLength),
        'upload-metadata': encodeMetadata({
          filename: FILENAME,
          type: 'image/jpeg',
          sha256: expected.sha256,
          sourceSha256,
        }),
        'content-type': 'application/offset+octet-stream',
      },
      body: bodyOf(bytes.subarray(0, chunk)),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('upload-offset')).toBe(String(chunk));
    const location = created.headers.get('location');
    if (location === null) throw new Error('The creation named no upload.');
    return new URL(location, server.baseUrl);
  };

  const patch = (url: URL, offset: number, end: number): Promise<Response> =>
    fetch(url, { method: 'PATCH', headers: tusHeaders(offset), body: bodyOf(bytes.subarray(offset, end)) });

  const headOffset = async (url: URL): Promise<number> => {
    const response = await fetch(url, {
      method: 'HEAD',
      headers: { ...authHeaders(owner.auth), 'tus-resumable': '1.0.0' },
    });
    expect(response.status).toBe(200);
    return Number(response.headers.get('upload-offset'));
  };

  const storedAsset = async (id: string): Promise<Asset> => {
    const response = await api<Asset>(server.baseUrl, 'GET', `/api/assets/${id}`, { auth: owner.auth });
    expect(response.status).toBe(200);
    return response.body;
  };

  const original = async (id: string): Promise<Buffer> => {
    const response = await fetch(`${server.baseUrl}/api/assets/${id}/original`, {
      headers: authHeaders(owner.auth),
    });
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };

  beforeAll(async () => {
    server = await startServer({ app: { startJobs: false } });
    owner = await createOwner(server.baseUrl);
    bytes = await readCorpusFile(FILENAME);
    expect(sha256Hex(bytes)).toBe(expected.sha256);
    chunk = Math.ceil(bytes.byteLength / 3);
  });
  afterAll(async () => {
    // A failed test may leave a slow PATCH's connection open; it must not hold the close up.
    server.app.server.closeAllConnections();
    await server.close();
  });

  it('lets the next chunk wait for the one still arriving, and takes both', async () => {
    const url = await create('a'.repeat(64));
    const first = slowPatch(url, tusHeaders(chunk), bytes.subarray(chunk, 2 * chunk), SLOW_MS);
    await first.started;
    // The first PATCH has the upload (its headers and first bytes are in) when the next arrives.
    await sleep(300);

    // On another connection, the chunk that continues it: Upload-Offset = its Upload-Offset + Content-Length.
    const sentAt = Date.now();
    const second = patch(url, 2 * chunk, bytes.byteLength);
    const secondAnswer = await second;
    const secondAt = Date.now();
    const firstAnswer = await first.done;

    if (firstAnswer instanceof Error) throw firstAnswer;
    // The first PATCH was not asked to stop: every byte of it was taken.
    expect(firstAnswer.status).toBe(204);
    expect(firstAnswer.headers['upload-offset']).toBe(String(2 * chunk));
    expect(first.written()).toBe(chunk);
    // The second one waited for it (it was sent while the first was still arriving), then finished.
    expect(sentAt).toBeLessThan(firstAnswer.at);
    expect(secondAt).toBeGreaterThanOrEqual(firstAnswer.at);
    expect(secondAnswer.status).toBe(204);
    expect(secondAnswer.headers.get('upload-offset')).toBe(String(bytes.byteLength));
    const assetId = secondAnswer.headers.get(ASSET_ID_HEADER);
    expect(assetId).not.toBeNull();
    expect(secondAnswer.headers.get(UPLOAD_OUTCOME_HEADER)).toBe('created');

    const stored = await storedAsset(assetId ?? '');
    expect(stored).toMatchObject({ bytes: bytes.byteLength, sha256: expected.sha256 });
    expect(sha256Hex(await original(assetId ?? ''))).toBe(expected.sha256);
  });

  it.each([
    ['a PATCH from offset 0', 'b'],
    ['a HEAD', 'c'],
  ])(
    'lets %s take over a PATCH still arriving, leaving a consistent offset to finish from',
    async (what, source) => {
      const url = await create(source.repeat(64));
      const first = slowPatch(url, tusHeaders(chunk), bytes.subarray(chunk, 2 * chunk), SLOW_MS);
      await first.started;
      await sleep(300);

      if (what === 'a HEAD') {
        // It waits for the running PATCH to stop (or end), then reports where the upload is.
        const offset = await headOffset(url);
        expect(offset).toBeGreaterThanOrEqual(chunk);
        expect(offset).toBeLessThanOrEqual(2 * chunk);
      } else {
        // Not a continuation (the upload is past 0): it takes over and is refused on its offset.
        const wrong = await patch(url, 0, chunk);
        expect(wrong.status).toBe(409);
        expect(((await wrong.json()) as ApiErrorBody).error.code).toBe('UPLOAD_CONFLICT');
      }
      const firstAnswer = await first.done;
      // The offset is what the file holds, and stays put.
      const offset = await headOffset(url);
      expect(offset).toBeGreaterThanOrEqual(chunk);
      expect(offset).toBeLessThanOrEqual(2 * chunk);
      expect(await headOffset(url)).toBe(offset);
      // The first PATCH was told to stop (tus cuts it after its lockDrainTimeout, 3 s): it was
      // answered with the offset it reached, or its connection was cut; it holds nothing now.
      if (!(firstAnswer instanceof Error)) {
        expect([204, 400]).toContain(firstAnswer.status);
        if (firstAnswer.status === 204) expect(firstAnswer.headers['upload-offset']).toBe(String(offset));
      }

      // The upload finishes from there, with the right bytes.
      let at = offset;
      let last: Response | null = null;
      while (at < bytes.byteLength) {
        const end = Math.min(at + chunk, bytes.byteLength);
        last = await patch(url, at, end);
        expect(last.status).toBe(204);
        at = Number(last.headers.get('upload-offset'));
        expect(at).toBe(end);
      }
      const assetId = last?.headers.get(ASSET_ID_HEADER) ?? null;
      expect(assetId).not.toBeNull();
      expect(await storedAsset(assetId ?? '')).toMatchObject({
        bytes: bytes.byteLength,
        sha256: expected.sha256,
      });
      expect(sha256Hex(await original(assetId ?? ''))).toBe(expected.sha256);
    },
  );
});
