/**
 * Uppy, unmodified (@uppy/core with @uppy/tus), uploading a corpus photo from Node as a Buffer with
 * a token: Uppy sends its own metadata keys (name, type, filetype, filename, relativePath), none
 * of them Shoebox's hashes (issue 13).
 */
import Uppy from '@uppy/core';
import Tus from '@uppy/tus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetPage } from '../../src/shared/api';
import {
  api,
  corpusFile,
  createApiToken,
  createOwner,
  readCorpusFile,
  sha256Hex,
  startServer,
  type Account,
  type TestServer,
} from './helpers';

describe('Uppy with @uppy/tus', () => {
  let server: TestServer;
  let owner: Account;

  beforeAll(async () => {
    server = await startServer({ app: { startJobs: false } });
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('uploads a corpus photo, stored as the manifest says', async () => {
    const file = corpusFile('Canon_40D.jpg');
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'uppy');
    const uppy = new Uppy({ autoProceed: false }).use(Tus, {
      endpoint: `${server.baseUrl}/api/uploads`,
      headers: { Authorization: `Bearer ${token}` },
      retryDelays: [],
    });
    const errors: string[] = [];
    uppy.on('upload-error', (_file, error) => void errors.push(error.message));
    // Uppy's typings name a browser's Blob; in Node, tus-js-client (under @uppy/tus) reads a Buffer.
    const data = (await readCorpusFile(file.filename)) as unknown as Blob;
    uppy.addFile({ name: file.filename, type: 'image/jpeg', data });
    const result = await uppy.upload();
    expect(errors).toEqual([]);
    expect(result?.successful).toHaveLength(1);

    const library = await api<AssetPage>(server.baseUrl, 'GET', '/api/assets', { auth: { token } });
    const stored = library.body.items.find((item) => item.filename === file.filename);
    expect(stored).toMatchObject({ bytes: file.bytes, sha256: file.sha256, mimeType: 'image/jpeg' });
    const original = await fetch(`${server.baseUrl}/api/assets/${stored?.id ?? ''}/original`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sha256Hex(Buffer.from(await original.arrayBuffer()))).toBe(file.sha256);
    uppy.destroy();
  });
});
