import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Asset, AssetPage } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { CachedConfigstore, HashingFileStore, hashUpload } from '../../src/server/uploads/upload-hash';
import {
  api,
  bodyOf,
  createOwner,
  encodeMetadata,
  listFiles,
  makeTempDir,
  readCorpusFile,
  sha256Hex,
  startServer,
  type Account,
  type TestServer,
} from './helpers';

/** A body that ends after `bytes`, as a PATCH body reaches the store. */
const body = (bytes: Uint8Array): Readable => Readable.from([Buffer.from(bytes)]);

describe('hashing uploads as their bodies land', () => {
  let directory: string;
  let store: HashingFileStore;
  const bytes = randomBytes(3 * 1024 * 1024 + 12_345);
  const sha256 = sha256Hex(bytes);
  const MiB = 1024 * 1024;
  /** The three PATCH bodies of a whole upload, as [from, to). */
  const steps: [number, number][] = [
    [0, MiB],
    [MiB, 2 * MiB],
    [2 * MiB, bytes.length],
  ];

  const create = async (into = store): Promise<string> => {
    const id = `upload-${randomBytes(4).toString('hex')}`;
    await into.create(new Upload({ id, size: bytes.length, offset: 0 }));
    return id;
  };
  const write = (id: string, from: number, to: number, into = store): Promise<number> =>
    into.write(body(bytes.subarray(from, to)), id, from);
  const fileOf = (id: string): string => path.join(directory, id);

  beforeEach(async () => {
    directory = await makeTempDir('shoebox-upload-hash-');
    store = new HashingFileStore({ directory });
  });
  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('digests the hash kept by the writes, then lets it go', async () => {
    const id = await create();
    for (const [from, to] of steps) expect(await write(id, from, to)).toBe(to);
    expect(store.runningHashes).toBe(1);
    const landed = store.takeDigest(id, bytes.length);
    expect(landed).toBe(sha256);
    expect(store.runningHashes).toBe(0);
    const verified = await hashUpload(fileOf(id), sha256, landed);
    expect(verified).toMatchObject({ sha256, from: 'landed' });
    // The head for sniffing still comes from the file.
    expect(Buffer.from(verified.head).equals(bytes.subarray(0, verified.head.length))).toBe(true);
  });

  it('rebuilds the hash from the file when a restarted server takes the upload on', async () => {
    const id = await create();
    await write(id, 0, MiB);
    await write(id, MiB, 2 * MiB);
    // A new process: the same files, nothing in memory.
    const restarted = new HashingFileStore({ directory });
    await write(id, 2 * MiB, bytes.length, restarted);
    expect(restarted.takeDigest(id, bytes.length)).toBe(sha256);
  });

  it('catches up from the file when another process wrote the bytes between', async () => {
    const id = await create();
    const other = new HashingFileStore({ directory });
    await write(id, 0, MiB);
    await write(id, MiB, 2 * MiB, other);
    await write(id, 2 * MiB, bytes.length);
    expect(store.takeDigest(id, bytes.length)).toBe(sha256);
  });

  it('starts again from the file when the file is shorter than the kept hash', async () => {
    const id = await create();
    await write(id, 0, 2 * MiB);
    // The file lost its last bytes (say, in a crash) and the client resends from the shorter
    // offset: the kept hash covers bytes the file no longer has.
    await fs.truncate(fileOf(id), MiB);
    await write(id, MiB, bytes.length);
    expect(store.takeDigest(id, bytes.length)).toBe(sha256);
  });

  it('keeps the hash right through a body that ends early', async () => {
    const id = await create();
    // An aborted request ends tus's stream early and cleanly: fewer bytes land than were sent.
    expect(await write(id, 0, 777_777)).toBe(777_777);
    await write(id, 777_777, bytes.length);
    expect(store.takeDigest(id, bytes.length)).toBe(sha256);
  });

  it('keeps the hash from before a write that failed, and reads back only what it landed', async () => {
    const id = await create();
    await write(id, 0, MiB);
    // Part of the body lands, then the connection drops.
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from(bytes.subarray(MiB, MiB + 300_000));
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('the connection dropped');
      })(),
    );
    await expect(store.write(failing, id, MiB)).rejects.toBeDefined();
    expect(store.runningHashes).toBe(1);
    // Bytes below the kept offset are never read again: were the first MiB read back, this byte
    // (changed behind the store's back, which nothing real does) would change the digest.
    const handle = await fs.open(fileOf(id), 'r+');
    await handle.write(Buffer.from([bytes[0]! ^ 0xff]), 0, 1, 0);
    await handle.close();
    // The client asks for the offset (the file's size) and resends from there.
    const { size } = await fs.stat(fileOf(id));
    expect(size).toBeGreaterThan(MiB);
    await write(id, size, bytes.length);
    expect(store.takeDigest(id, bytes.length)).toBe(sha256);
  });

  it('writes a body of many small pieces whole, and every piece that arrived before a failure', async () => {
    /** Pieces of 7,001 bytes (socket reads are not aligned to anything) from `from` to `to`. */
    const pieces = (from: number, to: number): Buffer[] => {
      const list: Buffer[] = [];
      for (let at = from; at < to; at += 7_001)
        list.push(Buffer.from(bytes.subarray(at, Math.min(to, at + 7_001))));
      return list;
    };
    const id = await create();
    expect(await store.write(Readable.from(pieces(0, MiB + 5)), id, 0)).toBe(MiB + 5);
    // Past a batch (a mebibyte) and into the next one, then the connection drops.
    const arrived = MiB + MiB / 2 + 3;
    const failing = Readable.from(
      (async function* () {
        yield* pieces(MiB + 5, MiB + 5 + arrived);
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('the connection dropped');
      })(),
    );
    await expect(store.write(failing, id, MiB + 5)).rejects.toThrow('the connection dropped');
    // Everything that arrived is in the file once the write has failed, in its place.
    const landed = await fs.readFile(fileOf(id));
    expect(landed.length).toBe(MiB + 5 + arrived);
    expect(sha256Hex(landed)).toBe(sha256Hex(bytes.subarray(0, MiB + 5 + arrived)));
    expect(await store.write(Readable.from(pieces(landed.length, bytes.length)), id, landed.length)).toBe(
      bytes.length,
    );
    expect(store.takeDigest(id, bytes.length)).toBe(sha256);
    expect(sha256Hex(await fs.readFile(fileOf(id)))).toBe(sha256);
  });

  it('lets go of the file after each write, whether it landed whole or failed', async () => {
    const openFiles = async (): Promise<number> => (await fs.readdir('/proc/self/fd')).length;
    const baseline = await openFiles();
    const id = await create();
    await write(id, 0, MiB);
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from(bytes.subarray(MiB, MiB + 1000));
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('the connection dropped');
      })(),
    );
    await expect(store.write(failing, id, MiB)).rejects.toThrow('the connection dropped');
    await write(id, MiB + 1000, bytes.length);
    expect(store.takeDigest(id, bytes.length)).toBe(sha256);
    // The descriptors close just after the answer, which does not wait for them.
    await vi.waitFor(async () => expect(await openFiles()).toBe(baseline));
  });

  it('keeps a bounded number of hashes, and an evicted upload still ends with its hash', async () => {
    store = new HashingFileStore({ directory, maxRunningHashes: 2 });
    const ids = [await create(), await create(), await create()];
    for (const id of ids) await write(id, 0, MiB);
    expect(store.runningHashes).toBe(2);
    for (const id of ids) {
      await write(id, MiB, bytes.length);
      expect(store.takeDigest(id, bytes.length)).toBe(sha256);
    }
    expect(store.runningHashes).toBe(0);
  });

  it('never rejects on the landed hash alone: the file’s own bytes answer a mismatch', async () => {
    const id = await create();
    await write(id, 0, bytes.length);
    const other = await create();
    const otherBytes = Buffer.from(bytes);
    otherBytes.writeUInt8(otherBytes.readUInt8(100) ^ 0xff, 100);
    await store.write(body(otherBytes), other, 0);

    // A landed digest over other bytes, or none at all, is not taken for the file's.
    expect(await hashUpload(fileOf(id), sha256, sha256Hex(otherBytes))).toMatchObject({
      sha256,
      from: 'file',
    });
    expect(await hashUpload(fileOf(id), sha256, null)).toMatchObject({ sha256, from: 'file' });
    // And a declared hash the bytes do not have is answered by the bytes themselves.
    expect(await hashUpload(fileOf(other), sha256, store.takeDigest(other, bytes.length))).toMatchObject({
      sha256: sha256Hex(otherBytes),
      from: 'file',
    });
  });

  it('drops the hash with the upload', async () => {
    const id = await create();
    await write(id, 0, MiB);
    await store.remove(id);
    expect(store.runningHashes).toBe(0);
    expect(await listFiles(directory)).toEqual([]);
  });
});

describe('upload records kept in memory in front of their files', () => {
  let directory: string;
  const fileOf = (id: string): string => path.join(directory, id);
  const create = async (store: HashingFileStore, metadata = { filename: 'a.jpg' }): Promise<string> => {
    const id = `upload-${randomBytes(4).toString('hex')}`;
    await store.create(new Upload({ id, size: 1000, offset: 0, metadata }));
    return id;
  };

  beforeEach(async () => {
    directory = await makeTempDir('shoebox-upload-records-');
  });
  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('answers from memory after the first read, each time with an object of its own', async () => {
    const store = new HashingFileStore({ directory });
    const id = await create(store);
    // Gone from the disk behind the store's back: only a copy in memory can still answer.
    await fs.rm(`${fileOf(id)}.json`);
    const first = await store.getUpload(id);
    expect(first).toMatchObject({ id, size: 1000, offset: 0, metadata: { filename: 'a.jpg' } });
    first.metadata = { filename: 'changed.jpg' };
    expect((await store.getUpload(id)).metadata).toEqual({ filename: 'a.jpg' });
  });

  it('reads the record from its file after a restart, and the offset is always the data file’s size', async () => {
    const id = await create(new HashingFileStore({ directory }));
    const restarted = new HashingFileStore({ directory });
    expect(await restarted.getUpload(id)).toMatchObject({ size: 1000, offset: 0 });
    await fs.appendFile(fileOf(id), Buffer.alloc(300));
    expect((await restarted.getUpload(id)).offset).toBe(300);
    await fs.truncate(fileOf(id), 120);
    expect((await restarted.getUpload(id)).offset).toBe(120);
  });

  it('answers that the upload is not found when its data file is gone, or once it is removed', async () => {
    const store = new HashingFileStore({ directory });
    const gone = await create(store);
    await fs.rm(fileOf(gone));
    await expect(store.getUpload(gone)).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
    const removed = await create(store);
    await store.remove(removed);
    await expect(store.getUpload(removed)).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
    await expect(store.getUpload('upload-never-made')).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
  });

  it('keeps a bounded number of records, and an evicted one is read from its file again', async () => {
    const records = new CachedConfigstore(directory, 2);
    const store = new HashingFileStore({ directory });
    const ids = [await create(store), await create(store), await create(store)];
    for (const id of ids) expect(await records.get(id)).toMatchObject({ id });
    expect(records.cachedRecords).toBe(2);
    expect(await records.get(ids[0]!)).toMatchObject({ id: ids[0], metadata: { filename: 'a.jpg' } });
    await records.delete(ids[2]!);
    expect(records.cachedRecords).toBe(1);
    expect(await records.get(ids[2]!)).toBeUndefined();
  });
});

describe('tus uploads verified from the hash computed as they land', () => {
  let server: TestServer;
  let owner: Account;
  const chunk = 64 * 1024;

  const uploadsDir = (): string => path.join(server.dataDir, 'uploads');
  const allAssets = async (): Promise<Asset[]> =>
    (await api<AssetPage>(server.baseUrl, 'GET', '/api/assets?limit=500', { auth: owner.auth })).body.items;
  const stored = async (response: Response): Promise<Asset | undefined> => {
    const id = response.headers.get('shoebox-asset-id');
    return (await allAssets()).find((asset) => asset.id === id);
  };

  const create = async (bytes: Buffer, sha256 = sha256Hex(bytes)): Promise<string> => {
    const created = await fetch(`${server.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: {
        ...owner.auth,
        'tus-resumable': '1.0.0',
        'upload-length': String(bytes.length),
        'upload-metadata': encodeMetadata({
          filename: 'photo.jpg',
          type: 'image/jpeg',
          sha256,
          sourceSha256: sha256,
        }),
      },
    });
    expect(created.status).toBe(201);
    return `${server.baseUrl}${created.headers.get('location') ?? ''}`;
  };
  const patch = (url: string, offset: number, part: Uint8Array): Promise<Response> =>
    fetch(url, {
      method: 'PATCH',
      headers: {
        ...owner.auth,
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      },
      body: bodyOf(part),
    });

  beforeAll(async () => {
    server = await startServer({ app: { startJobs: false } });
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('stores a multi-chunk upload and leaves nothing in the uploads folder', async () => {
    const bytes = await readCorpusFile('DSCN0010.jpg');
    const url = await create(bytes);
    expect((await patch(url, 0, bytes.subarray(0, chunk))).status).toBe(204);
    expect((await patch(url, chunk, bytes.subarray(chunk, 2 * chunk))).status).toBe(204);
    const last = await patch(url, 2 * chunk, bytes.subarray(2 * chunk));
    expect(last.status).toBe(204);
    expect(last.headers.get('shoebox-upload-outcome')).toBe('created');
    expect((await stored(last))?.sha256).toBe(sha256Hex(bytes));
    expect(await listFiles(uploadsDir())).toEqual([]);
  });

  it('answers a tampered body with 460 and keeps nothing, though every write was hashed', async () => {
    const bytes = await readCorpusFile('Landscape_1.jpg');
    const before = await allAssets();
    const url = await create(bytes);
    const tampered = Buffer.from(bytes);
    tampered.writeUInt8(tampered.readUInt8(chunk + 10) ^ 0x01, chunk + 10);
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const response = await patch(url, offset, tampered.subarray(offset, offset + chunk));
      if (offset + chunk < bytes.length) {
        expect(response.status).toBe(204);
      } else {
        expect(response.status).toBe(460);
        expect(((await response.json()) as ApiErrorBody).error.code).toBe('CHECKSUM_MISMATCH');
      }
    }
    expect(await allAssets()).toEqual(before);
    expect(await listFiles(uploadsDir())).toEqual([]);
  });

  it('resumes with the right hash after the server restarts between chunks', async () => {
    const bytes = await readCorpusFile('Landscape_0.jpg');
    const url = await create(bytes);
    expect((await patch(url, 0, bytes.subarray(0, chunk))).status).toBe(204);
    expect((await patch(url, chunk, bytes.subarray(chunk, 2 * chunk))).status).toBe(204);
    // The running hash dies with the process; the restarted one rebuilds it from the file.
    await server.stop();
    server = await startServer({ app: { startJobs: false }, dataDir: server.dataDir });
    const resumedUrl = url.replace(/^http:\/\/[^/]+/, server.baseUrl);
    const head = await fetch(resumedUrl, {
      method: 'HEAD',
      headers: { ...owner.auth, 'tus-resumable': '1.0.0' },
    });
    expect(head.headers.get('upload-offset')).toBe(String(2 * chunk));
    const last = await patch(resumedUrl, 2 * chunk, bytes.subarray(2 * chunk));
    expect(last.status).toBe(204);
    expect(last.headers.get('shoebox-upload-outcome')).toBe('created');
    expect((await stored(last))?.sha256).toBe(sha256Hex(bytes));
    expect(await listFiles(uploadsDir())).toEqual([]);
  });
});
