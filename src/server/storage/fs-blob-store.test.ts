import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeBlobStoreContract } from './blob-store.contract';
import { FsBlobStore } from './fs-blob-store';

describeBlobStoreContract('filesystem', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-blobs-'));
  return new FsBlobStore(path.join(root, 'blobs'));
});
