import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { createSHA256, type IHasher } from 'hash-wasm';
import { SNIFF_BYTES } from '../../shared/sniff';
import { ApiError } from '../errors';
import { hashFile } from '../library/media-info';

/**
 * The SHA-256 of an upload is computed while its PATCH bodies land, so that finishing a large
 * upload does not read it all again (DESIGN §5: "The server recomputes it while the last chunk
 * lands"). Between requests the hasher's state lives in a sidecar next to the upload,
 * `<upload>.sha256`, with the number of bytes it covers. The sidecar is only ever a shortcut:
 * whenever it is missing, unreadable or covers a different length than the file, the file is read.
 */
const SIDECAR_SUFFIX = '.sha256';

/** What a sidecar holds: the hasher's saved state over the file's first `offset` bytes. */
interface SavedHash {
  offset: number;
  /** hash-wasm `save()`, base64. */
  state: string;
}

export const hashSidecarPath = (uploadPath: string): string => `${uploadPath}${SIDECAR_SUFFIX}`;

/** The hasher over the first `offset` bytes saved beside the upload, or null if there is none. */
async function loadSavedHash(uploadPath: string): Promise<{ hasher: IHasher; offset: number } | null> {
  let saved: SavedHash;
  try {
    saved = JSON.parse(await fs.readFile(hashSidecarPath(uploadPath), 'utf8')) as SavedHash;
  } catch {
    // No sidecar (the upload is older than this code, or its first write did not finish) or a
    // torn one (the server died while writing it): the caller reads the file instead.
    return null;
  }
  if (!Number.isSafeInteger(saved.offset) || saved.offset < 0 || typeof saved.state !== 'string') return null;
  const hasher = await createSHA256();
  try {
    // load() throws on a state that another build or another algorithm saved.
    hasher.load(Buffer.from(saved.state, 'base64'));
  } catch {
    return null;
  }
  return { hasher, offset: saved.offset };
}

async function saveHash(uploadPath: string, hasher: IHasher, offset: number): Promise<void> {
  const saved: SavedHash = { offset, state: Buffer.from(hasher.save()).toString('base64') };
  await fs.writeFile(hashSidecarPath(uploadPath), JSON.stringify(saved));
}

/** Feeds bytes `[start, end)` of a file to the hasher. */
async function hashRange(hasher: IHasher, filePath: string, start: number, end: number): Promise<void> {
  if (end <= start) return;
  for await (const chunk of createReadStream(filePath, { start, end: end - 1, highWaterMark: 1024 * 1024 })) {
    hasher.update(chunk as Buffer);
  }
}

/**
 * The hasher to continue at `offset`: a fresh one for a new upload; the saved one, brought up to
 * `offset` from the file when the server stopped between a write and its save (the file only ever
 * grows at its end, so bytes below the saved offset never change); null when there is no usable
 * state, and the upload is hashed from the file when it finishes.
 */
async function hasherAt(uploadPath: string, offset: number): Promise<IHasher | null> {
  if (offset === 0) {
    const hasher = await createSHA256();
    return hasher.init();
  }
  const saved = await loadSavedHash(uploadPath);
  if (saved === null || saved.offset > offset) return null;
  await hashRange(saved.hasher, uploadPath, saved.offset, offset);
  return saved.hasher;
}

/**
 * A FileStore that hashes every body on its way to the disk and saves the hasher's state once the
 * bytes are written, so the state never covers bytes the file lacks.
 *
 * A PATCH is answered without an fsync, deliberately. Until the upload is complete its bytes only
 * matter for resuming, and resuming always asks the server: tus-js-client's HEAD reads the offset
 * from the file's size, so bytes a power cut takes off the end are sent again (the queue's
 * confirmed offset is only where to ask). Appends are never exposed unwritten after a crash on
 * the journalled file systems this runs on (ext4 data=ordered, XFS): the file is a prefix of what
 * was written, and a sidecar ahead of it is ignored (`hasherAt`, `hashUpload`). Durability where
 * it is promised comes at the end: the blob store fsyncs the file and its directories
 * (FsBlobStore.putFile) before the asset row commits and before the last PATCH is answered.
 * Syncing every 8 MiB as well would make each request wait for the disk while the client, which
 * cannot send the next chunk before the answer, sits idle.
 */
export class HashingFileStore extends FileStore {
  /** FileStore's own `resolve` is private; upload ids are single path segments (upload-id.ts). */
  #uploadPath(id: string): string {
    if (path.basename(id) !== id) throw new ApiError('UPLOAD_NOT_FOUND');
    return path.join(this.directory, id);
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const uploadPath = this.#uploadPath(id);
    const hasher = await hasherAt(uploadPath, offset);
    if (hasher === null) {
      // A state this write cannot extend must not outlive it: were the file ever to grow past a
      // state saved over other bytes, that state would look current again.
      await fs.rm(hashSidecarPath(uploadPath), { force: true });
      return super.write(readable, id, offset);
    }

    let hashed = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hasher.update(chunk);
        hashed += chunk.length;
        callback(null, chunk);
      },
    });
    // pipe() does not pass a source's error on; the store's pipeline then fails as it would have.
    readable.once('error', (error) => hashing.destroy(error));
    const written = await super.write(readable.pipe(hashing), id, offset);
    // An aborted request ends the body early and cleanly (tus ends its stream on abort): the file
    // and the hasher then hold the same shorter body, and the state is still right.
    if (offset + hashed === written) await saveHash(uploadPath, hasher, written);
    return written;
  }

  override async remove(id: string): Promise<void> {
    await super.remove(id);
    await fs.rm(hashSidecarPath(this.#uploadPath(id)), { force: true });
  }
}

export interface UploadHash {
  sha256: string;
  /** The first bytes, for sniffing the type. */
  head: Uint8Array;
  /** Whether the digest came from the saved state (no re-read) or from reading the file. */
  from: 'saved-state' | 'file';
}

async function readHead(filePath: string): Promise<Uint8Array> {
  const handle = await fs.open(filePath, 'r');
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The SHA-256 of a complete upload. When the state saved beside it covers exactly the file's size
 * and its digest is the one the client declared, the file is not read again. Otherwise it is: a
 * saved state can only confirm a hash, so a mismatch is always the file's own bytes speaking.
 */
export async function hashUpload(uploadPath: string, declaredSha256: string): Promise<UploadHash> {
  const [saved, stats] = await Promise.all([loadSavedHash(uploadPath), fs.stat(uploadPath)]);
  if (saved !== null && saved.offset === stats.size) {
    const sha256 = saved.hasher.digest('hex');
    if (sha256 === declaredSha256) return { sha256, head: await readHead(uploadPath), from: 'saved-state' };
  }
  return { ...(await hashFile(uploadPath)), from: 'file' };
}
