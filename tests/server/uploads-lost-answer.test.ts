/**
 * A lost final answer (issue 13): the connection drops after the server took the last PATCH and
 * before its answer reached the client (a phone going to sleep, a proxy timing out). tus-js-client,
 * unmodified, asks with HEAD where the upload stands; the server answers 200 at the full offset
 * with the asset it became, and not one byte of the file is sent twice.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset } from '../../src/shared/api';
import { ASSET_ID_HEADER, UPLOAD_OUTCOME_HEADER } from '../../src/shared/tus';
import {
  CORPUS_DIR,
  api,
  corpusFile,
  createApiToken,
  createOwner,
  startServer,
  type Account,
  type TestServer,
} from './helpers';

interface Seen {
  method: string;
  status: number | null;
  bodyBytes: number;
  dropped: boolean;
}

/**
 * A loopback proxy in front of the server that passes every request on whole, and for the PATCH
 * that completes an upload of `total` bytes, drops the connection instead of passing the answer back.
 */
async function lossyProxy(
  target: string,
  total: number,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const seen: Seen[] = [];
  const proxy = http.createServer((request, response) => {
    const entry: Seen = { method: request.method ?? '', status: null, bodyBytes: 0, dropped: false };
    seen.push(entry);
    request.on('data', (chunk: Buffer) => (entry.bodyBytes += chunk.length));
    const completes =
      request.method === 'PATCH' &&
      Number(request.headers['upload-offset']) + Number(request.headers['content-length']) === total;
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        entry.status = answer.statusCode ?? null;
        if (completes && !entry.dropped) {
          entry.dropped = true;
          answer.resume();
          request.socket.destroy();
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve, reject) => {
        proxy.closeAllConnections();
        proxy.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

describe('a lost final answer', () => {
  let server: TestServer;
  let owner: Account;

  beforeAll(async () => {
    server = await startServer({ app: { startJobs: false } });
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('costs one HEAD: 200 at the full offset with the asset, and no byte sent twice', async () => {
    const file = corpusFile('IMG_20180725_163423.jpg');
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'lossy');
    const proxy = await lossyProxy(server.baseUrl, file.bytes);
    try {
      const errors: string[] = [];
      const done = await new Promise<{ assetId: string | undefined; outcome: string | undefined }>(
        (resolve, reject) => {
          const upload = new Upload(createReadStream(path.join(CORPUS_DIR, file.filename)), {
            endpoint: `${proxy.url}/api/uploads`,
            headers: { Authorization: `Bearer ${token}` },
            metadata: { filename: file.filename, filetype: 'image/jpeg' },
            uploadSize: file.bytes,
            chunkSize: 512 * 1024,
            retryDelays: [100],
            onShouldRetry: (error) => {
              errors.push(error.message);
              return true;
            },
            onError: reject,
            onSuccess: ({ lastResponse }) =>
              resolve({
                assetId: lastResponse.getHeader(ASSET_ID_HEADER),
                outcome: lastResponse.getHeader(UPLOAD_OUTCOME_HEADER),
              }),
          });
          upload.start();
        },
      );

      // The answer was lost once, and the client noticed.
      expect(proxy.seen.filter((entry) => entry.dropped)).toHaveLength(1);
      expect(errors).toHaveLength(1);
      // It asked where the upload stands, and learnt it was complete, and what it became.
      const heads = proxy.seen.filter((entry) => entry.method === 'HEAD');
      expect(heads.map((entry) => entry.status)).toEqual([200]);
      expect(done.outcome).toBe('created');
      const stored = await api<Asset>(server.baseUrl, 'GET', `/api/assets/${done.assetId ?? ''}`, {
        auth: { token },
      });
      expect(stored.body.sha256).toBe(file.sha256);
      // Every byte once.
      const sent = proxy.seen.reduce((sum, entry) => sum + entry.bodyBytes, 0);
      expect(sent).toBe(file.bytes);
    } finally {
      await proxy.close();
    }
  });
});
