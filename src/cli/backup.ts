/**
 * `shoebox upload`'s pipeline over the scanned files, each file through three stages with a
 * bounded look-ahead (so the first upload starts as soon as the first file is hashed, whatever
 * the folder's size):
 *  1. identify: what the state file knows of (path, size, mtime), else sniff, limits, SHA-256;
 *  2. check: `POST /api/assets/check` in batches of up to 500 hashes, sent when a batch is full or
 *     when the uploads or the hashing would otherwise wait for it; what the state file already
 *     records as backed up for this account is not asked again;
 *  3. upload: tus, `--concurrency` files at once, resuming the URL a previous run recorded.
 * Identical files in one run are one upload: the second waits for the first and is then already
 * there. Every outcome is written to the state file as it happens.
 */
import { setMaxListeners } from 'node:events';
import fastq from 'fastq';
import type { ConfigResponse } from '../shared/api';
import { CHECK_BATCH_MAX } from '../shared/api';
import type { ServerApi } from './api';
import { CliError } from './errors';
import { identify, limitsOf, localCaptureTime, type Identified } from './identify';
import type { ScannedFile } from './scan';
import { limitsKey, type Identity, type StateDb } from './state';
import { uploadFile, type TusResult } from './tus';

/** What became of one file in this run. */
export type FileResult =
  | { outcome: 'uploaded'; assetId: string; resumedFrom: number | null }
  /**
   * In the library already: by the check, the state file, or the upload's own answer. Null only in
   * a dry run, for the same bytes as a file this run would upload.
   */
  | { outcome: 'already-there'; assetId: string | null }
  /** `--dry-run`: it would be uploaded (or its unfinished upload resumed). */
  | { outcome: 'would-upload'; resume: boolean }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'failed'; reason: string }
  /** The run stopped (Ctrl-C, a refused token, the server gone) before this file was done. */
  | { outcome: 'not-done' };

export interface BackupSummary {
  server: string;
  dryRun: boolean;
  files: number;
  bytes: number;
  uploaded: { files: number; bytes: number };
  alreadyThere: { files: number; bytes: number };
  wouldUpload: { files: number; bytes: number };
  skipped: { path: string; reason: string }[];
  failed: { path: string; reason: string }[];
  notDone: number;
  /** Files read to hash them in this run, and their bytes (0 on a rerun over unchanged files). */
  hashed: { files: number; bytes: number };
  /** Bytes of files sent to the server in this run (a resumed upload counts only what it sent). */
  sentBytes: number;
  /** Unfinished uploads of an earlier run picked up at the server's offset. */
  resumed: number;
  /** Asset ids of the files that are in the library now (uploaded or already there), for `--album`. */
  assetIds: string[];
  seconds: number;
}

/** How the run is shown: progress as it goes, each outcome, and the end. */
export interface Reporter {
  start(totals: { files: number; bytes: number }): void;
  /** `held`: bytes of `file` the server has now; `sent`: bytes sent since the last call. */
  progress(file: ScannedFile, held: number, sent: number): void;
  file(file: ScannedFile, result: FileResult): void;
}

export interface BackupContext {
  api: ServerApi;
  config: ConfigResponse;
  /** Server origin and user id: what the state file's records are about. */
  account: string;
  state: StateDb;
  reporter: Reporter;
}

export interface BackupOptions {
  concurrency: number;
  dryRun: boolean;
  /** The user's stop (Ctrl-C): a normal end, not an error. */
  signal: AbortSignal;
}

export interface BackupRun {
  summary: BackupSummary;
  /** Why the run stopped early, when something other than the user stopped it. */
  error: CliError | null;
  interrupted: boolean;
}

/** Files hashed at once: a disk reads best with a few requests queued, and hashing takes a core. */
const HASH_CONCURRENCY = 2;
/** Files between the scan and their outcome at once: at least two check batches, so checks overlap uploads. */
const LOOK_AHEAD = 2 * CHECK_BATCH_MAX;

/** An I/O failure of one file (unreadable, gone, a disk error): that file fails, the run goes on. */
function fileProblem(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return null;
  const reasons: Record<string, string> = {
    EACCES: "Shoebox isn't allowed to read this file.",
    EPERM: "Shoebox isn't allowed to read this file.",
    ENOENT: 'The file was deleted or moved while Shoebox was reading it.',
    EISDIR: 'This is a folder, not a file.',
    EIO: 'The disk could not read this file.',
  };
  return reasons[code] ?? `The file could not be read (${code}).`;
}

/**
 * Batches of hashes for `POST /api/assets/check`. A batch goes when it is full, or when `hungry()`
 * says something waits for it (the uploads have nothing to do, or nothing more is being hashed);
 * one request at a time, so batches fill while one is out.
 */
class CheckBatcher {
  private pending: {
    sha256: string;
    settle: (assetId: string | null) => void;
    fail: (error: unknown) => void;
  }[] = [];
  private busy = false;

  constructor(
    private readonly api: ServerApi,
    private readonly signal: AbortSignal,
    private readonly hungry: () => boolean,
  ) {}

  /** The asset id the library already holds for `sha256`, or null. */
  check(sha256: string): Promise<string | null> {
    return new Promise((settle, fail) => {
      this.pending.push({ sha256, settle, fail });
      this.poke();
    });
  }

  /** Sends a batch if one is due. */
  poke(): void {
    if (this.busy || this.pending.length === 0) return;
    if (this.pending.length < CHECK_BATCH_MAX && !this.hungry()) return;
    void this.send(this.pending.splice(0, CHECK_BATCH_MAX));
  }

  private async send(batch: CheckBatcher['pending']): Promise<void> {
    this.busy = true;
    try {
      const hashes = [...new Set(batch.map((entry) => entry.sha256))];
      const { existing } = await this.api.check(hashes, this.signal);
      const found = new Map(existing.map((entry) => [entry.sourceSha256, entry.id]));
      for (const entry of batch) entry.settle(found.get(entry.sha256) ?? null);
    } catch (error) {
      for (const entry of batch) entry.fail(error);
    } finally {
      this.busy = false;
    }
    this.poke();
  }
}

function emptySummary(server: string, files: readonly ScannedFile[], dryRun: boolean): BackupSummary {
  return {
    server,
    dryRun,
    files: files.length,
    bytes: files.reduce((sum, file) => sum + file.size, 0),
    uploaded: { files: 0, bytes: 0 },
    alreadyThere: { files: 0, bytes: 0 },
    wouldUpload: { files: 0, bytes: 0 },
    skipped: [],
    failed: [],
    notDone: 0,
    hashed: { files: 0, bytes: 0 },
    sentBytes: 0,
    resumed: 0,
    assetIds: [],
    seconds: 0,
  };
}

function tally(summary: BackupSummary, file: ScannedFile, result: FileResult): void {
  switch (result.outcome) {
    case 'uploaded':
      summary.uploaded.files += 1;
      summary.uploaded.bytes += file.size;
      summary.assetIds.push(result.assetId);
      if (result.resumedFrom !== null) summary.resumed += 1;
      break;
    case 'already-there':
      summary.alreadyThere.files += 1;
      summary.alreadyThere.bytes += file.size;
      if (result.assetId !== null) summary.assetIds.push(result.assetId);
      break;
    case 'would-upload':
      summary.wouldUpload.files += 1;
      summary.wouldUpload.bytes += file.size;
      break;
    case 'skipped':
      summary.skipped.push({ path: file.display, reason: result.reason });
      break;
    case 'failed':
      summary.failed.push({ path: file.display, reason: result.reason });
      break;
    case 'not-done':
      summary.notDone += 1;
      break;
  }
}

export async function backup(
  files: readonly ScannedFile[],
  context: BackupContext,
  options: BackupOptions,
): Promise<BackupRun> {
  const { api, config, account, state, reporter } = context;
  const started = performance.now();
  const summary = emptySummary(api.origin, files, options.dryRun);
  const currentLimits = limitsKey(config.limits);

  // Stops everything in flight: the user's Ctrl-C, or a failure that dooms every other file too.
  const stopper = new AbortController();
  const signal = stopper.signal;
  // Each upload and each hash listens for the stop while it runs.
  setMaxListeners(options.concurrency + HASH_CONCURRENCY + 8, signal);
  let error: CliError | null = null;
  const stop = (reason: CliError | null): void => {
    error ??= reason;
    stopper.abort();
  };
  const onUserStop = (): void => stop(null);
  if (options.signal.aborted) stopper.abort();
  options.signal.addEventListener('abort', onUserStop, { once: true });

  const hashing = fastq.promise(
    (task: { file: ScannedFile; known: Identity | null }): Promise<Identified> =>
      identify(task.file, task.known, config.limits, signal),
    HASH_CONCURRENCY,
  );
  const uploads = fastq.promise(
    (task: {
      file: ScannedFile;
      type: string;
      sha256: string;
      resumeUrl: string | null;
    }): Promise<TusResult> => {
      const { file, sha256 } = task;
      let held = 0;
      return uploadFile(
        {
          path: file.path,
          size: file.size,
          type: task.type,
          sha256,
          capturedAt: localCaptureTime(file.mtimeMs),
        },
        {
          endpoint: `${api.origin}${config.tus.endpoint}`,
          headers: api.headers,
          chunkSize: config.tus.maxChunkBytes,
          resumeUrl: task.resumeUrl,
          signal,
          onUploadUrl: (uploadUrl) =>
            state.rememberBackup(account, sha256, file.path, { state: 'uploading', uploadUrl }),
          onProgress: (bytes, sent) => {
            held = bytes;
            summary.sentBytes += sent;
            reporter.progress(file, held, sent);
          },
        },
      );
    },
    options.concurrency,
  );
  const idle = (queue: { idle(): boolean }): boolean => queue.idle();
  const checks = new CheckBatcher(api, signal, () => idle(uploads) || idle(hashing));

  /** One file per hash at a time: the same photo twice in a run is sent once. */
  const leaders = new Map<string, Promise<void>>();
  /** `--dry-run`: the hashes it would upload, so the same bytes again count as already there. */
  const planned = new Set<string>();

  const backupHash = async (file: ScannedFile, type: string, sha256: string): Promise<FileResult> => {
    const record = state.backup(account, sha256);
    if (record?.state === 'done') return { outcome: 'already-there', assetId: record.assetId };
    if (record?.state === 'refused' && record.limits === currentLimits) {
      return { outcome: 'skipped', reason: record.reason };
    }
    const resumeUrl = record?.state === 'uploading' ? record.uploadUrl : null;
    if (resumeUrl === null) {
      const existing = await checks.check(sha256);
      if (existing !== null) {
        state.rememberBackup(account, sha256, file.path, { state: 'done', assetId: existing });
        return { outcome: 'already-there', assetId: existing };
      }
    }
    if (options.dryRun) {
      if (planned.has(sha256)) return { outcome: 'already-there', assetId: null };
      planned.add(sha256);
      return { outcome: 'would-upload', resume: resumeUrl !== null };
    }
    let result: TusResult;
    try {
      result = await uploads.push({ file, type, sha256, resumeUrl });
    } finally {
      checks.poke();
    }
    switch (result.kind) {
      case 'stored':
        state.rememberBackup(account, sha256, file.path, { state: 'done', assetId: result.assetId });
        return result.outcome === 'created'
          ? { outcome: 'uploaded', assetId: result.assetId, resumedFrom: result.resumedFrom }
          : { outcome: 'already-there', assetId: result.assetId };
      case 'refused':
        state.rememberBackup(account, sha256, file.path, {
          state: 'refused',
          reason: result.message,
          limits: currentLimits,
        });
        return { outcome: 'skipped', reason: result.message };
      case 'unauthorized':
        stop(
          new CliError(
            'auth',
            result.status === 401
              ? `${api.origin} no longer accepts this token: it was revoked or has expired. ${api.signInHint}`
              : `${result.message} ${api.signInHint}`,
          ),
        );
        return { outcome: 'not-done' };
      case 'failed':
        if (result.connection) {
          // The server is gone for every file, not for this one: stop instead of failing them all.
          stop(new CliError('failed', `${result.message} Shoebox stopped; run it again to continue.`));
          return { outcome: 'not-done' };
        }
        return { outcome: 'failed', reason: result.message };
      case 'aborted':
        return { outcome: 'not-done' };
    }
  };

  const processFile = async (file: ScannedFile): Promise<FileResult> => {
    const known = state.identity(file);
    let identity = known;
    if (known === null || (known.kind === 'media' && known.sha256 === null)) {
      const identified = await hashing.push({ file, known });
      checks.poke();
      identity = identified.identity;
      if (identified.hashedBytes > 0) {
        summary.hashed.files += 1;
        summary.hashed.bytes += identified.hashedBytes;
      }
      if (identity !== known) state.rememberIdentity(file, identity);
    }
    if (identity === null) throw new Error('identify() answered nothing');
    if (identity.kind === 'unsupported') return { outcome: 'skipped', reason: identity.reason };
    const limits = limitsOf(identity, file.size, config.limits);
    if (!limits.ok) return { outcome: 'skipped', reason: limits.reason };
    const sha256 = identity.sha256;
    if (sha256 === null) throw new Error('A file within the limits was not hashed.');

    for (let leader = leaders.get(sha256); leader !== undefined; leader = leaders.get(sha256)) await leader;
    let release = (): void => {};
    leaders.set(sha256, new Promise<void>((resolve) => (release = resolve)));
    try {
      return await backupHash(file, identity.type, sha256);
    } finally {
      leaders.delete(sha256);
      release();
    }
  };

  const settle = async (file: ScannedFile): Promise<FileResult> => {
    if (signal.aborted) return { outcome: 'not-done' };
    try {
      return await processFile(file);
    } catch (caught) {
      if (signal.aborted) return { outcome: 'not-done' };
      if (caught instanceof CliError) {
        stop(caught);
        return { outcome: 'not-done' };
      }
      const problem = fileProblem(caught);
      if (problem === null) throw caught;
      return { outcome: 'failed', reason: problem };
    }
  };

  reporter.start({ files: summary.files, bytes: summary.bytes });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++] as ScannedFile;
      const result = await settle(file);
      tally(summary, file, result);
      reporter.file(file, result);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(LOOK_AHEAD, files.length) }, worker));
  } catch (bug) {
    stopper.abort();
    throw bug;
  } finally {
    options.signal.removeEventListener('abort', onUserStop);
  }
  summary.seconds = (performance.now() - started) / 1000;
  return { summary, error, interrupted: error === null && options.signal.aborted };
}
