import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, AssetPage } from '../../src/shared/api';
import { ASSET_ID_HEADER, UPLOAD_OUTCOME_HEADER } from '../../src/shared/tus';
import {
  CORPUS_DIR,
  api,
  corpusFile,
  createApiToken,
  createOwner,
  sha256Hex,
  startServer,
  type Account,
  type TestServer,
} from './helpers';

/**
 * A third-party client, unmodified: tus-js-client with its own Node HTTP stack, authenticated by
 * an API token, against the real listening server.
 */
describe('tus-js-client from Node with a Bearer token', () => {
  let server: TestServer;
  let owner: Account;

  beforeAll(async () => {
    server = await startServer();
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  /** Uploads a corpus file as tus-js-client's README shows: a stream, a file name and a type. */
  async function upload(
    token: string,
    filename: string,
    filetype: string,
    chunkSize?: number,
  ): Promise<{ assetId: string | undefined; outcome: string | undefined; chunks: number }> {
    const file = corpusFile(filename);
    let chunks = 0;
    return new Promise((resolve, reject) => {
      const tus = new Upload(createReadStream(path.join(CORPUS_DIR, file.filename)), {
        endpoint: `${server.baseUrl}/api/uploads`,
        headers: { Authorization: `Bearer ${token}` },
        metadata: { filename: file.filename, filetype },
        uploadSize: file.bytes,
        ...(chunkSize === undefined ? {} : { chunkSize }),
        retryDelays: [],
        onChunkComplete: () => (chunks += 1),
        onError: reject,
        onSuccess: ({ lastResponse }) => {
          resolve({
            assetId: lastResponse.getHeader(ASSET_ID_HEADER),
            outcome: lastResponse.getHeader(UPLOAD_OUTCOME_HEADER),
            chunks,
          });
        },
      });
      tus.start();
    });
  }

  const originalSha256 = async (token: string, assetId: string | undefined): Promise<string> => {
    const response = await fetch(`${server.baseUrl}/api/assets/${assetId ?? ''}/original`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return sha256Hex(Buffer.from(await response.arrayBuffer()));
  };

  it('uploads a photo with only filename and filetype, stored as the manifest says', async () => {
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'tus-js-client');
    const file = corpusFile('Samsung GT-I9000 (Galaxy S).jpg');
    const { assetId, outcome } = await upload(token, file.filename, 'image/jpeg');
    expect(outcome).toBe('created');

    const library = await api<AssetPage>(server.baseUrl, 'GET', '/api/assets', { auth: { token } });
    expect(library.status).toBe(200);
    expect(library.body.items).toEqual([
      expect.objectContaining({
        id: assetId,
        filename: file.filename,
        bytes: file.bytes,
        sha256: file.sha256,
        // No sourceSha256 sent: the file as uploaded is the file as picked.
        sourceSha256: file.sha256,
        capturedAt: '2011-04-02T18:30:10.000Z',
      }),
    ]);
    expect(await originalSha256(token, assetId)).toBe(file.sha256);

    // The same file again is the same asset: a duplicate is a success.
    const again = await upload(token, file.filename, 'image/jpeg');
    expect(again).toMatchObject({ assetId, outcome: 'duplicate' });
  });

  it('uploads a video in many chunks, stored as the manifest says', async () => {
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'tus-js-client');
    const file = corpusFile('with-gps.mov');
    const { assetId, outcome, chunks } = await upload(token, file.filename, 'video/quicktime', 64 * 1024);
    expect(outcome).toBe('created');
    expect(chunks).toBe(Math.ceil(file.bytes / (64 * 1024)));
    const stored = await api<Asset>(server.baseUrl, 'GET', `/api/assets/${assetId ?? ''}`, {
      auth: { token },
    });
    expect(stored.body).toMatchObject({
      filename: file.filename,
      mimeType: 'video/quicktime',
      sha256: file.sha256,
    });
    expect(await originalSha256(token, assetId)).toBe(file.sha256);
  });

  it('reports a refusal as an error with the server’s sentence', async () => {
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'tus-js-client');
    const file = corpusFile('Canon_40D.jpg');
    const error = await new Promise<Error>((resolve, reject) => {
      const upload = new Upload(createReadStream(path.join(CORPUS_DIR, file.filename)), {
        endpoint: `${server.baseUrl}/api/uploads`,
        headers: { Authorization: `Bearer ${token}` },
        // A declared hash is still checked (issue 13).
        metadata: { filename: file.filename, filetype: 'image/jpeg', sha256: '0'.repeat(64) },
        uploadSize: file.bytes,
        retryDelays: [],
        onError: resolve,
        onSuccess: () => reject(new Error('A corrupted upload was accepted.')),
      });
      upload.start();
    });
    expect(error.message).toContain('response code: 460');
    expect(error.message).toContain('CHECKSUM_MISMATCH');
  });
});
