import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetPage } from '../../src/shared/api';
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

  it('uploads a corpus file that then appears in the library with the manifest’s sha256', async () => {
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'tus-js-client');
    const file = corpusFile('Samsung GT-I9000 (Galaxy S).jpg');

    const { assetId, outcome } = await new Promise<{
      assetId: string | undefined;
      outcome: string | undefined;
    }>((resolve, reject) => {
      const upload = new Upload(createReadStream(path.join(CORPUS_DIR, file.filename)), {
        endpoint: `${server.baseUrl}/api/uploads`,
        headers: { Authorization: `Bearer ${token}` },
        metadata: {
          filename: file.filename,
          type: 'image/jpeg',
          sha256: file.sha256,
          sourceSha256: file.sha256,
        },
        uploadSize: file.bytes,
        retryDelays: [],
        onError: reject,
        onSuccess: ({ lastResponse }) => {
          resolve({
            assetId: lastResponse.getHeader(ASSET_ID_HEADER),
            outcome: lastResponse.getHeader(UPLOAD_OUTCOME_HEADER),
          });
        },
      });
      upload.start();
    });
    expect(outcome).toBe('created');

    const library = await api<AssetPage>(server.baseUrl, 'GET', '/api/assets', { auth: { token } });
    expect(library.status).toBe(200);
    expect(library.body.items).toEqual([
      expect.objectContaining({
        id: assetId,
        filename: file.filename,
        bytes: file.bytes,
        sha256: file.sha256,
        capturedAt: '2011-04-02T18:30:10.000Z',
      }),
    ]);
  });

  it('reports a refusal as an error with the server’s sentence', async () => {
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'tus-js-client');
    const file = corpusFile('Canon_40D.jpg');
    const error = await new Promise<Error>((resolve, reject) => {
      const upload = new Upload(createReadStream(path.join(CORPUS_DIR, file.filename)), {
        endpoint: `${server.baseUrl}/api/uploads`,
        headers: { Authorization: `Bearer ${token}` },
        metadata: {
          filename: file.filename,
          type: 'image/jpeg',
          sha256: '0'.repeat(64),
          sourceSha256: file.sha256,
        },
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
