import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Asset, AssetPage } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { HashingFileStore, hashSidecarPath, hashUpload } from '../../src/server/uploads/upload-hash';
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

  const create = async (): Promise<string> => {
    const id = `upload-${randomBytes(4).toString('hex')}`;
    await store.create(new Upload({ id, size: bytes.length, offset: 0 }));
    return id;
  };
  const write = (id: string, from: number, to: number): Promise<number> =>
    store.write(body(bytes.subarray(from, to)), id, from);
  const fileOf = (id: string): string => path.join(directory, id);
  const sidecarOf = (id: string): Promise<{ offset: number; state: string }> =>
    fs
      .readFile(hashSidecarPath(fileOf(id)), 'utf8')
      .then((text) => JSON.parse(text) as { offset: number; state: string });

  beforeEach(async () => {
    directory = await makeTempDir('shoebox-upload-hash-');
    store = new HashingFileStore({ directory });
  });
  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('digests the state saved by the writes without reading the file again', async () => {
    const id = await create();
    for (const [from, to] of steps) {
      expect(await write(id, from, to)).toBe(to);
      expect((await sidecarOf(id)).offset).toBe(to);
    }
    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'saved-state' });
    // The head for sniffing still comes from the file.
    const { head } = await hashUpload(fileOf(id), sha256);
    expect(Buffer.from(head).equals(bytes.subarray(0, head.length))).toBe(true);
  });

  it('catches up from the file when the server stopped between a write and its save', async () => {
    const id = await create();
    await write(id, 0, MiB);
    const savedAfterFirst = await fs.readFile(hashSidecarPath(fileOf(id)));
    await write(id, MiB, 2 * MiB);
    // The second write reached the file, its state never reached the sidecar.
    await fs.writeFile(hashSidecarPath(fileOf(id)), savedAfterFirst);
    await write(id, 2 * MiB, bytes.length);
    expect((await sidecarOf(id)).offset).toBe(bytes.length);
    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'saved-state' });
  });

  it('reads the file when the saved state covers another length than the file', async () => {
    const id = await create();
    await write(id, 0, MiB);
    const stale = await fs.readFile(hashSidecarPath(fileOf(id)));
    await write(id, MiB, 2 * MiB);
    await write(id, 2 * MiB, bytes.length);
    await fs.writeFile(hashSidecarPath(fileOf(id)), stale);
    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'file' });
  });

  it('reads the file when there is no sidecar, or a torn or foreign one', async () => {
    const id = await create();
    await write(id, 0, bytes.length);
    const sidecar = hashSidecarPath(fileOf(id));
    const { state } = await sidecarOf(id);

    await fs.rm(sidecar);
    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'file' });
    await fs.writeFile(sidecar, `{"offset":${bytes.length},"state":"${state.slice(0, 20)}`);
    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'file' });
    await fs.writeFile(sidecar, JSON.stringify({ offset: bytes.length, state: 'bm90IGEgaGFzaCBzdGF0ZQ==' }));
    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'file' });
    await fs.writeFile(sidecar, JSON.stringify({ offset: 'all of it', state }));
    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'file' });
  });

  it('never rejects on the saved state alone: a state over other bytes yields the file’s hash', async () => {
    const id = await create();
    await write(id, 0, bytes.length);
    const other = await create();
    const otherBytes = Buffer.from(bytes);
    otherBytes.writeUInt8(otherBytes.readUInt8(100) ^ 0xff, 100);
    await store.write(body(otherBytes), other, 0);
    // The other upload's state at the same offset: loadable, current-looking, and wrong.
    await fs.copyFile(hashSidecarPath(fileOf(other)), hashSidecarPath(fileOf(id)));

    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'file' });
    // And a declared hash the bytes do not have is answered by the bytes themselves.
    expect(await hashUpload(fileOf(other), sha256)).toMatchObject({
      sha256: sha256Hex(otherBytes),
      from: 'file',
    });
  });

  it('drops a state it cannot extend, so it never looks current later', async () => {
    const id = await create();
    await write(id, 0, 2 * MiB);
    // A state beyond the file's end (say, the file lost its last bytes in a crash while the
    // sidecar survived, and the client resends from the shorter offset): no write can extend it.
    await fs.truncate(fileOf(id), MiB);
    await write(id, MiB, bytes.length);
    await expect(fs.access(hashSidecarPath(fileOf(id)))).rejects.toThrow();
    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'file' });
  });

  it('keeps the state right through a body that ends early', async () => {
    const id = await create();
    // An aborted request ends tus's stream early and cleanly: fewer bytes land than were sent.
    expect(await write(id, 0, 777_777)).toBe(777_777);
    expect((await sidecarOf(id)).offset).toBe(777_777);
    await write(id, 777_777, bytes.length);
    expect(await hashUpload(fileOf(id), sha256)).toMatchObject({ sha256, from: 'saved-state' });
  });

  it('removes the sidecar with the upload', async () => {
    const id = await create();
    await write(id, 0, MiB);
    await store.remove(id);
    expect(await listFiles(directory)).toEqual([]);
  });
});

describe('tus uploads verified from the saved hash state', () => {
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
  const sidecarOf = (url: string): string =>
    hashSidecarPath(path.join(uploadsDir(), url.split('/').pop() ?? ''));

  beforeAll(async () => {
    server = await startServer({ app: { startJobs: false } });
    owner = await createOwner(server.baseUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('stores an upload whose sidecar was torn at the end, and leaves no sidecar behind', async () => {
    const bytes = await readCorpusFile('DSCN0010.jpg');
    const url = await create(bytes);
    expect((await patch(url, 0, bytes.subarray(0, chunk))).status).toBe(204);
    const stale = await fs.readFile(sidecarOf(url));
    expect((await patch(url, chunk, bytes.subarray(chunk, 2 * chunk))).status).toBe(204);
    await fs.writeFile(sidecarOf(url), stale.subarray(0, 30));
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
        expect(JSON.parse(await fs.readFile(sidecarOf(url), 'utf8'))).toMatchObject({
          offset: offset + chunk,
        });
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
    const savedAfterFirst = await fs.readFile(sidecarOf(url));
    expect((await patch(url, chunk, bytes.subarray(chunk, 2 * chunk))).status).toBe(204);
    await server.stop();
    // The process died after the second body reached the file and before its state was saved.
    await fs.writeFile(sidecarOf(url), savedAfterFirst);
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
