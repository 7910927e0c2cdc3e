import { createHash, type Hash } from 'node:crypto';
import { close, createReadStream, openSync, statSync, writev, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileConfigstore, FileStore, type Configstore } from '@tus/file-store';
import { Upload } from '@tus/server';
import { SNIFF_BYTES } from '../../shared/sniff';
import { ApiError } from '../errors';
import { hashFile } from '../library/media-info';

/**
 * The SHA-256 of an upload is computed while its PATCH bodies land, so that finishing a large
 * upload does not read it all again (DESIGN §5: "The server recomputes it while the last chunk
 * lands"). Between requests the running hash stays in memory, keyed by upload id, with the number
 * of bytes it covers. It is Node's (OpenSSL's) SHA-256, several times faster than hash-wasm here
 * because it uses the CPU's SHA instructions, and on a 512 MB upload the hash was the server's
 * largest cost. Its state cannot be saved, so after a restart (or when another process wrote the
 * last bytes, or the entry was evicted) the next PATCH first reads the bytes the hash lacks from
 * the file, once: at several hundred MB/s that is cheaper than saving a state after every PATCH.
 */
const MAX_RUNNING_HASHES = 256;

/**
 * A large upload's bytes are pushed to the disk each time it crosses a multiple of this (see
 * `flushBehind`). Each flush of a grown file also commits its new size to the journal, so not
 * after every chunk; and a photo (well under it) is never flushed before its final fsync.
 */
const FLUSH_BEHIND_BYTES = 64 * 1024 * 1024;

/**
 * How many uploads keep their `.json` record (id, size, metadata) in memory; the least recently
 * read go first.
 */
const MAX_CACHED_RECORDS = 256;

/**
 * FileStore's record of each upload (its `.json` sidecar) with the records kept in memory, in
 * front of the files. tus reads the record on every PATCH and HEAD (FileStore.getUpload), and on a
 * busy machine reading a small file (open, stat, read, close: four trips to libuv's thread pool)
 * took a median 18 ms per 8 MiB PATCH, a time in which the request's body waits in the socket. A
 * record is written once, when its upload is created, and never changes here (deferred lengths,
 * the one case where tus rewrites it, are refused at creation), so a copy in memory stays true.
 * The files stay the source of truth: writes and deletes go to them first, a record not in
 * memory (a restart, an eviction) is read from its file, and the upload's offset is still the
 * size of its data file, asked on every request.
 */
export class CachedConfigstore implements Configstore {
  readonly #files: Configstore;
  /** In order of last use, oldest first. */
  readonly #records = new Map<string, string>();

  constructor(
    directory: string,
    private readonly maxRecords = MAX_CACHED_RECORDS,
  ) {
    this.#files = new FileConfigstore(directory);
  }

  #remember(key: string, record: string): void {
    this.#records.delete(key);
    this.#records.set(key, record);
    for (const oldest of this.#records.keys()) {
      if (this.#records.size <= this.maxRecords) break;
      this.#records.delete(oldest);
    }
  }

  async get(key: string): Promise<Upload | undefined> {
    const kept = this.#records.get(key);
    if (kept !== undefined) {
      this.#remember(key, kept);
      // A fresh object each time, as a read of the file gives: callers may change what they get.
      return JSON.parse(kept) as Upload;
    }
    const read = await this.#files.get(key);
    if (read !== undefined) this.#remember(key, JSON.stringify(read));
    return read;
  }

  async set(key: string, value: Upload): Promise<void> {
    this.#records.delete(key);
    await this.#files.set(key, value);
    this.#remember(key, JSON.stringify(value));
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key);
    await this.#files.delete(key);
  }

  /** How many records are in memory. */
  get cachedRecords(): number {
    return this.#records.size;
  }
}

/** A running SHA-256 over an upload's first `offset` bytes. */
interface RunningHash {
  hash: Hash;
  offset: number;
}

/**
 * Feeds bytes `[start, end)` of a file to the hash; false when the file ends before `end`.
 * The file only ever grows at its end, so bytes below its size never change.
 */
async function hashRange(hash: Hash, filePath: string, start: number, end: number): Promise<boolean> {
  if (end <= start) return true;
  let read = 0;
  for await (const chunk of createReadStream(filePath, { start, end: end - 1, highWaterMark: 1024 * 1024 })) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    read += bytes.length;
  }
  return read === end - start;
}

export interface HashingFileStoreOptions {
  directory: string;
  /** How many uploads keep a running hash in memory; the least recently written go first. */
  maxRunningHashes?: number;
}

/**
 * A FileStore that hashes every body on its way to the disk. The running hash of an upload is
 * taken out of memory while a body is written and put back only when it covers exactly the bytes
 * written; otherwise a copy taken before the write is, so a failed write can never leave a hash
 * over bytes the file lacks.
 *
 * The map is bounded: an upload abandoned midway (the tus store here has no expiry) is evicted
 * once `maxRunningHashes` more recent uploads have been written, and costs a re-read of its file
 * if it ever comes back. Finishing (`takeDigest`) and terminating (`remove`) drop the entry.
 *
 * A PATCH is answered without an fsync, deliberately. Until the upload is complete its bytes only
 * matter for resuming, and resuming always asks the server: tus-js-client's HEAD reads the offset
 * from the file's size, so bytes a power cut takes off the end are sent again (the queue's
 * confirmed offset is only where to ask). Appends are never exposed unwritten after a crash on
 * the journalled file systems this runs on (ext4 data=ordered, XFS): the file is a prefix of what
 * was written, and a restarted server hashes what the file holds. Durability where it is promised
 * comes at the end: the blob store fsyncs the file and its directories (FsBlobStore.putFile)
 * before the asset row commits and before the last PATCH is answered. Syncing every chunk as well
 * would make each request wait for the disk while the client, which cannot send the next chunk
 * before the answer, sits idle.
 */
export class HashingFileStore extends FileStore {
  /** In order of last write, oldest first (a Map keeps insertion order). */
  readonly #running = new Map<string, RunningHash>();
  /** Uploads whose written bytes are being pushed to the disk behind the requests. */
  readonly #flushing = new Set<string>();
  readonly #maxRunning: number;

  constructor({ directory, maxRunningHashes = MAX_RUNNING_HASHES }: HashingFileStoreOptions) {
    super({ directory, configstore: new CachedConfigstore(directory) });
    this.#maxRunning = maxRunningHashes;
  }

  /** FileStore's own `resolve` is private; upload ids are single path segments (upload-id.ts). */
  #uploadPath(id: string): string {
    if (path.basename(id) !== id) throw new ApiError('UPLOAD_NOT_FOUND');
    return path.join(this.directory, id);
  }

  #keep(id: string, running: RunningHash): void {
    this.#running.delete(id);
    this.#running.set(id, running);
    for (const oldest of this.#running.keys()) {
      if (this.#running.size <= this.#maxRunning) break;
      this.#running.delete(oldest);
    }
  }

  /**
   * The hash to continue at `offset`: the one in memory, brought up to `offset` from the file when
   * it lags (another process wrote the bytes between), or one rebuilt from the file (a restart, an
   * eviction). Null when the file does not hold `offset` bytes, and the upload is then hashed from
   * the file when it finishes.
   */
  async #hashAt(id: string, offset: number): Promise<Hash | null> {
    const kept = this.#running.get(id);
    this.#running.delete(id);
    const running =
      kept !== undefined && kept.offset <= offset ? kept : { hash: createHash('sha256'), offset: 0 };
    return (await hashRange(running.hash, this.#uploadPath(id), running.offset, offset))
      ? running.hash
      : null;
  }

  /**
   * FileStore.getUpload, with the data file's size asked synchronously. tus asks this at the start
   * of every PATCH while the request's body waits in the socket, and a stat through libuv's thread
   * pool (two thread wake-ups) took a median 6.6 ms per request on a busy machine, against a few
   * microseconds for the system call itself on a local disk. The record comes from memory
   * (CachedConfigstore); the offset is still the file's size, so a restarted server, or bytes a
   * crash took off the end, answer with what the file really holds.
   */
  override async getUpload(id: string): Promise<Upload> {
    const record = await this.configstore.get(id);
    if (record === undefined) throw new ApiError('UPLOAD_NOT_FOUND');
    const filePath = this.#uploadPath(id);
    let stats: Stats;
    try {
      stats = statSync(filePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('UPLOAD_NOT_FOUND');
      throw error;
    }
    if (stats.isDirectory()) throw new ApiError('UPLOAD_NOT_FOUND');
    return new Upload({
      id,
      size: record.size,
      offset: stats.size,
      metadata: record.metadata,
      creation_date: record.creation_date,
      storage: { type: 'file', path: filePath },
    });
  }

  /**
   * Writes a body into the upload's file from `offset`, feeding each piece to `hash` on its way,
   * and answers how many bytes landed. It does FileStore.write's job with two trips to libuv's
   * thread pool fewer per request: the file is opened synchronously (microseconds on a local
   * disk), where FileStore's stream opens it asynchronously, and the answer does not wait for the
   * descriptor's close, where FileStore's does; on a busy machine each trip cost a few
   * milliseconds of every PATCH. The writes themselves stay asynchronous, gathered into writes
   * of up to a mebibyte (FileAppender). Bytes that landed before an error stay in the file, as
   * with FileStore, and the error is passed on.
   */
  async #land(readable: Readable, id: string, offset: number, hash: Hash | null): Promise<number> {
    const file = new FileAppender(openSync(this.#uploadPath(id), 'r+'), offset, hash);
    try {
      await pipeline(readable, file);
    } catch (error) {
      // What arrived is in the file before the next request reads its size.
      await file.settled;
      throw error;
    }
    return offset + file.landed;
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const hash = await this.#hashAt(id, offset);
    if (hash === null) return this.#land(readable, id, offset, null);
    // The hash over the first `offset` bytes, which the file keeps whatever happens to this write:
    // after a failed one (a dropped connection) only the bytes it did land are read back.
    const before: RunningHash = { hash: hash.copy(), offset };
    let written: number;
    try {
      written = await this.#land(readable, id, offset, hash);
    } catch (error) {
      this.#keep(id, before);
      throw error;
    }
    // An aborted request ends the body early and cleanly (tus ends its stream on abort): the file
    // and the hash then hold the same shorter body, and the hash is still right.
    this.#keep(id, { hash, offset: written });
    this.#flushBehind(id, offset, written);
    return written;
  }

  /**
   * Starts writing the upload's bytes to the disk, when the write `[offset, written)` crossed a
   * multiple of FLUSH_BEHIND_BYTES, without waiting for it. The answer to a PATCH never waits for
   * the disk (see above), but the last one does: the blob store fsyncs the whole file first, and
   * with gigabytes of RAM the kernel would otherwise keep every byte of a large upload dirty until
   * then (0.6 s per 512 MB on the benchmark's machine, after the last byte arrived; 0.1–0.2 s with
   * this). One flush at a time per upload; bytes that land meanwhile go with the next one or with
   * the final fsync.
   */
  #flushBehind(id: string, offset: number, written: number): void {
    if (Math.floor(written / FLUSH_BEHIND_BYTES) === Math.floor(offset / FLUSH_BEHIND_BYTES)) return;
    if (this.#flushing.has(id)) return;
    this.#flushing.add(id);
    const flush = async (): Promise<void> => {
      const handle = await fs.open(this.#uploadPath(id), 'r+');
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
    };
    flush()
      // Only a head start: the final fsync is where a disk error is reported, and a file removed
      // meanwhile (finished, terminated) has nothing left to flush.
      .catch(() => undefined)
      .finally(() => this.#flushing.delete(id));
  }

  /**
   * The digest of the running hash when it covers exactly `size` bytes, or null. Either way the
   * upload's hash leaves memory: this is asked once, when the upload is complete.
   */
  takeDigest(id: string, size: number): string | null {
    const running = this.#running.get(id);
    this.#running.delete(id);
    return running?.offset === size ? running.hash.digest('hex') : null;
  }

  /** How many uploads have a running hash in memory. */
  get runningHashes(): number {
    return this.#running.size;
  }

  /** Lets go of what memory holds of an upload whose files are being deleted (the sweep). */
  async forget(id: string): Promise<void> {
    this.#running.delete(id);
    // The record's file may be gone already (an orphaned data file): the cache entry goes anyway.
    await this.configstore.delete(id).catch(() => undefined);
  }

  override async remove(id: string): Promise<void> {
    this.#running.delete(id);
    await super.remove(id);
  }
}

/**
 * Bytes gathered before one write to the file. A body arrives in the socket's reads (64 KB), and
 * one write per read cost a thread-pool trip and a system call each (8,192 per 512 MB).
 */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** Writes `buffers` at `position`, again from where it stopped when a write was short. */
function writeAll(
  fd: number,
  buffers: Buffer[],
  position: number,
  done: (error: Error | null, written: number) => void,
): void {
  let written = 0;
  const step = (remaining: Buffer[]): void => {
    writev(fd, remaining, position + written, (error, bytes) => {
      if (error !== null) {
        done(error, written);
        return;
      }
      written += bytes;
      let skip = bytes;
      const rest: Buffer[] = [];
      for (const buffer of remaining) {
        if (skip >= buffer.length) skip -= buffer.length;
        else {
          rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
          skip = 0;
        }
      }
      if (rest.length === 0) done(null, written);
      else step(rest);
    });
  };
  step(buffers);
}

/**
 * A PATCH body's way into the upload's file: each piece is fed to the running hash as it comes,
 * and written from `position` in batches of WRITE_BATCH_BYTES (the rest when the body ends).
 * Owns the descriptor, which it closes after its last write. A body that fails still has what
 * arrived written before the close, as one write per piece did; `settled` resolves then, and
 * `landed` counts the bytes in the file.
 */
class FileAppender extends Writable {
  landed = 0;
  readonly settled: Promise<void>;
  #settle: () => void = () => undefined;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #position: number;
  /** The write under way: the next starts where it ends. */
  #writing: Promise<Error | null> = Promise.resolve(null);
  #closed = false;

  constructor(
    private readonly fd: number,
    position: number,
    private readonly hash: Hash | null,
  ) {
    super({ highWaterMark: WRITE_BATCH_BYTES });
    this.#position = position;
    this.settled = new Promise((resolve) => (this.#settle = resolve));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.hash?.update(chunk);
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes < WRITE_BATCH_BYTES) callback();
    else void this.#flush().then(callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    void this.#flush().then((error) => {
      this.#close();
      callback(error);
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // After a write under way, what arrived since is written too; then the descriptor closes.
    void this.#writing
      .then(() => this.#flush())
      .then(() => {
        this.#close();
        callback(error);
      });
  }

  /** Writes what was gathered, after the write under way; answers the error, if any. */
  #flush(): Promise<Error | null> {
    const buffers = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (buffers.length === 0) return this.#writing;
    this.#writing = this.#writing.then(
      (failed) =>
        failed ??
        new Promise<Error | null>((resolve) => {
          writeAll(this.fd, buffers, this.#position, (error, written) => {
            this.landed += written;
            this.#position += written;
            resolve(error);
          });
        }),
    );
    return this.#writing;
  }

  #close(): void {
    // Once: _destroy follows _final too, and a descriptor closed twice may be another file's by then.
    if (this.#closed) return;
    this.#closed = true;
    // The answer does not wait for the close: every byte is written when it is called.
    close(this.fd, () => this.#settle());
  }
}

export interface UploadHash {
  sha256: string;
  /** The first bytes, for sniffing the type. */
  head: Uint8Array;
  /** Whether the digest came from the hash kept while the bodies landed, or from reading the file. */
  from: 'landed' | 'file';
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
 * The SHA-256 of a complete upload. When the digest computed as its bodies landed is the one the
 * client declared, the file is not read again. Otherwise it is: the running hash can only confirm
 * a hash, so a mismatch is always the file's own bytes speaking.
 */
export async function hashUpload(
  uploadPath: string,
  declaredSha256: string,
  landedSha256: string | null,
): Promise<UploadHash> {
  if (landedSha256 !== null && landedSha256 === declaredSha256) {
    return { sha256: landedSha256, head: await readHead(uploadPath), from: 'landed' };
  }
  return { ...(await hashFile(uploadPath)), from: 'file' };
}
