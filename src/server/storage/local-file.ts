import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from './blob-store';

/**
 * Runs `task` with the blob at `key` as a file on local disk: the store's own file when it keeps
 * one (the filesystem store), else a temporary copy in `tmpDir`, deleted afterwards.
 */
export async function withLocalFile<T>(
  store: BlobStore,
  key: string,
  tmpDir: string,
  task: (filePath: string) => Promise<T>,
): Promise<T> {
  if (store.localPath !== undefined) return task(store.localPath(key));
  const copy = path.join(tmpDir, `blob-${randomUUID()}`);
  try {
    await pipeline(await store.createReadStream(key), createWriteStream(copy));
    return await task(copy);
  } finally {
    await fs.rm(copy, { force: true });
  }
}

/** Stores `bytes` under `key` through a temporary file in `tmpDir` (putFile takes files). */
export async function putBytes(
  store: BlobStore,
  key: string,
  bytes: Uint8Array,
  tmpDir: string,
): Promise<void> {
  const file = path.join(tmpDir, `put-${randomUUID()}`);
  try {
    await fs.writeFile(file, bytes);
    await store.putFile(key, file);
  } finally {
    await fs.rm(file, { force: true });
  }
}
