import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobKeyFor, type BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';
import { putBytes, withLocalFile } from './local-file';

describe('local files for blobs', () => {
  let root: string;
  let tmpDir: string;
  let store: FsBlobStore;
  const key = blobKeyFor('owner-1', 'cd'.repeat(32));

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-local-file-'));
    tmpDir = path.join(root, 'tmp');
    await fs.mkdir(tmpDir);
    store = new FsBlobStore(path.join(root, 'blobs'));
    await putBytes(store, key, Buffer.from('the bytes'), tmpDir);
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('stores bytes through a temporary file it then removes', async () => {
    expect(await store.stat(key)).toEqual({ size: 9 });
    expect(await fs.readdir(tmpDir)).toEqual([]);
  });

  it('reads the store’s own file when it keeps one', async () => {
    const seen = await withLocalFile(store, key, tmpDir, (file) => Promise.resolve(file));
    expect(seen).toBe(store.pathOf(key));
  });

  it('copies the blob for a store without local files, and removes the copy afterwards', async () => {
    // A remote store (S3) as the helper sees it: everything but localPath.
    const remote: BlobStore = {
      putFile: (k, source) => store.putFile(k, source),
      createReadStream: (k, range) => store.createReadStream(k, range),
      stat: (k) => store.stat(k),
      exists: (k) => store.exists(k),
      delete: (k) => store.delete(k),
    };
    const contents = await withLocalFile(remote, key, tmpDir, async (file) => {
      expect(path.dirname(file)).toBe(tmpDir);
      return fs.readFile(file, 'utf8');
    });
    expect(contents).toBe('the bytes');
    expect(await fs.readdir(tmpDir)).toEqual([]);
    await expect(
      withLocalFile(remote, blobKeyFor('owner-1', 'ef'.repeat(32)), tmpDir, () => Promise.resolve(1)),
    ).rejects.toThrow();
    expect(await fs.readdir(tmpDir)).toEqual([]);
  });
});
