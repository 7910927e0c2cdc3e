import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { blobKeyFor, type BlobStore } from './blob-store';

const SHA = 'ab'.repeat(32);

async function localFile(contents: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-blob-src-'));
  const file = path.join(dir, 'upload');
  await fs.writeFile(file, contents);
  return file;
}

/** The contract every BlobStore implementation must pass (DESIGN §6). */
export function describeBlobStoreContract(name: string, makeStore: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${name}`, () => {
    it('stores a file under its key and takes the source', async () => {
      const store = await makeStore();
      const source = await localFile('hello, blob');
      const key = blobKeyFor('owner-1', SHA);
      expect(await store.exists(key)).toBe(false);
      await store.putFile(key, source);
      expect(await store.exists(key)).toBe(true);
      expect(await store.stat(key)).toEqual({ size: 11 });
      expect(await text(await store.createReadStream(key))).toBe('hello, blob');
      await expect(fs.access(source)).rejects.toThrow();
    });

    it('reads an inclusive byte range', async () => {
      const store = await makeStore();
      const key = blobKeyFor('owner-1', SHA);
      await store.putFile(key, await localFile('0123456789'));
      expect(await text(await store.createReadStream(key, { start: 2, end: 4 }))).toBe('234');
      expect(await text(await store.createReadStream(key, { start: 9, end: 9 }))).toBe('9');
    });

    it('stores a file of several upload parts byte for byte, and reads a range across parts', async () => {
      // Larger than one part of a multipart upload (5 MiB), the size a short video has.
      const store = await makeStore();
      const bytes = randomBytes(12 * 1024 * 1024 + 123);
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-blob-src-'));
      const source = path.join(dir, 'video');
      await fs.writeFile(source, bytes);
      const key = blobKeyFor('owner-1', createHash('sha256').update(bytes).digest('hex'));
      await store.putFile(key, source);
      expect(await store.stat(key)).toEqual({ size: bytes.length });
      const stored = await buffer(await store.createReadStream(key));
      expect(createHash('sha256').update(stored).digest('hex')).toBe(key.split('/').at(-1));
      const start = 5 * 1024 * 1024 - 10;
      const slice = await buffer(await store.createReadStream(key, { start, end: start + 19 }));
      expect(slice.equals(bytes.subarray(start, start + 20))).toBe(true);
    });

    it('keeps the first copy when the same key is put twice', async () => {
      const store = await makeStore();
      const key = blobKeyFor('owner-1', SHA);
      await store.putFile(key, await localFile('first'));
      const second = await localFile('first');
      await store.putFile(key, second);
      expect(await text(await store.createReadStream(key))).toBe('first');
      await expect(fs.access(second)).rejects.toThrow();
    });

    it('keeps owners apart', async () => {
      const store = await makeStore();
      await store.putFile(blobKeyFor('owner-1', SHA), await localFile('one'));
      expect(await store.exists(blobKeyFor('owner-2', SHA))).toBe(false);
    });

    it('reports a missing blob as absent and deletes idempotently', async () => {
      const store = await makeStore();
      const key = blobKeyFor('owner-1', SHA);
      expect(await store.stat(key)).toBeNull();
      await expect(store.createReadStream(key)).rejects.toThrow();
      await store.delete(key);
      await store.putFile(key, await localFile('bye'));
      await store.delete(key);
      expect(await store.exists(key)).toBe(false);
    });

    it('rejects keys that could escape the store', async () => {
      const store = await makeStore();
      const source = await localFile('x');
      await expect(store.putFile('../escape', source)).rejects.toThrow();
      await expect(store.putFile('owner/../../escape', source)).rejects.toThrow();
    });
  });
}
