/**
 * The CLI's memory between runs, a SQLite file in the user's data directory: what each file is
 * (by path, size and modification time: its sniffed type and SHA-256, so an unchanged file is
 * never read twice) and, per account, what became of each SHA-256 (backed up as which asset, an
 * upload in progress and its tus URL, refused by the server and why). A rerun over 100,000 files
 * costs a stat and an indexed lookup each; a killed run loses nothing written before it died
 * (each change is its own transaction, WAL).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Limits } from '../shared/limits';

/** What a file is, as far as backing it up goes; kept by (path, size, mtime). */
export type Identity =
  /** Never a photo or video whatever the limits: empty, or not a type Shoebox stores. */
  | { kind: 'unsupported'; reason: string }
  /**
   * A photo or video. `sha256` is null while it was only sniffed (it was over the limits then, so
   * nothing needed its hash); `pixels` is null when its headers do not say.
   */
  | { kind: 'media'; type: string; pixels: number | null; sha256: string | null };

/** What became of one SHA-256 for one account (server and user). */
export type Backup =
  | { state: 'uploading'; uploadUrl: string }
  | { state: 'done'; assetId: string }
  /** The server refused it under these limits: not sent again while they stand. */
  | { state: 'refused'; reason: string; limits: string };

export interface FileKey {
  path: string;
  size: number;
  mtimeMs: number;
}

interface FileRow {
  kind: string;
  type: string | null;
  pixels: number | null;
  sha256: string | null;
  reason: string | null;
}

interface BackupRow {
  state: string;
  upload_url: string | null;
  asset_id: string | null;
  reason: string | null;
  limits: string | null;
}

/** Counts of an account's records, for `shoebox status`. */
export interface StateCounts {
  done: number;
  uploading: number;
  refused: number;
}

/** The limits as one string: a refusal stands while the server's limits are these. */
export const limitsKey = (limits: Limits): string =>
  JSON.stringify([limits.maxPhotoBytes, limits.maxPhotoPixels, limits.maxVideoBytes]);

// Versioned steps, never edited once released: a newer CLI upgrades an older file in place.
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE files (
     path TEXT PRIMARY KEY,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('unsupported', 'media')),
     type TEXT,
     pixels INTEGER,
     sha256 TEXT,
     reason TEXT
   ) STRICT;
   CREATE TABLE backups (
     account TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('uploading', 'done', 'refused')),
     upload_url TEXT,
     asset_id TEXT,
     reason TEXT,
     limits TEXT,
     path TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (account, sha256)
   ) STRICT;`,
];

export class StateDb {
  private readonly db: SQLite.Database;
  private readonly statements;

  private constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.db = new SQLite(file);
    this.db.pragma('journal_mode = WAL');
    // A commit survives the process being killed; NORMAL only risks the last commits on power loss,
    // and the worst that costs is hashing a file again or asking the server about it.
    this.db.pragma('synchronous = NORMAL');
    // Two runs at once (two folders from cron) take turns writing.
    this.db.pragma('busy_timeout = 10000');
    this.migrate();
    this.statements = {
      file: this.db.prepare<[string, number, number], FileRow>(
        'SELECT kind, type, pixels, sha256, reason FROM files WHERE path = ? AND size = ? AND mtime_ms = ?',
      ),
      putFile: this.db.prepare(
        `INSERT INTO files (path, size, mtime_ms, kind, type, pixels, sha256, reason)
         VALUES (@path, @size, @mtimeMs, @kind, @type, @pixels, @sha256, @reason)
         ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
           kind = excluded.kind, type = excluded.type, pixels = excluded.pixels,
           sha256 = excluded.sha256, reason = excluded.reason`,
      ),
      backup: this.db.prepare<[string, string], BackupRow>(
        'SELECT state, upload_url, asset_id, reason, limits FROM backups WHERE account = ? AND sha256 = ?',
      ),
      putBackup: this.db.prepare(
        `INSERT INTO backups (account, sha256, state, upload_url, asset_id, reason, limits, path, updated_at)
         VALUES (@account, @sha256, @state, @uploadUrl, @assetId, @reason, @limits, @path, @updatedAt)
         ON CONFLICT (account, sha256) DO UPDATE SET state = excluded.state,
           upload_url = excluded.upload_url, asset_id = excluded.asset_id, reason = excluded.reason,
           limits = excluded.limits, path = excluded.path, updated_at = excluded.updated_at`,
      ),
      counts: this.db.prepare<[string], { state: string; count: number }>(
        'SELECT state, count(*) AS count FROM backups WHERE account = ? GROUP BY state',
      ),
    };
  }

  /** Opens (creating) the state file; its folder is made private to the user. */
  static open(file: string): StateDb {
    return new StateDb(file);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let step = version; step < MIGRATIONS.length; step++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[step] ?? '');
        this.db.pragma(`user_version = ${step + 1}`);
      })();
    }
  }

  /** What the file was when last seen with this size and modification time; null if never. */
  identity(key: FileKey): Identity | null {
    const row = this.statements.file.get(key.path, key.size, key.mtimeMs);
    if (row === undefined) return null;
    if (row.kind === 'unsupported') return { kind: 'unsupported', reason: row.reason ?? '' };
    return { kind: 'media', type: row.type ?? '', pixels: row.pixels, sha256: row.sha256 };
  }

  rememberIdentity(key: FileKey, identity: Identity): void {
    this.statements.putFile.run({
      path: key.path,
      size: key.size,
      mtimeMs: key.mtimeMs,
      kind: identity.kind,
      type: identity.kind === 'media' ? identity.type : null,
      pixels: identity.kind === 'media' ? identity.pixels : null,
      sha256: identity.kind === 'media' ? identity.sha256 : null,
      reason: identity.kind === 'unsupported' ? identity.reason : null,
    });
  }

  backup(account: string, sha256: string): Backup | null {
    const row = this.statements.backup.get(account, sha256);
    if (row === undefined) return null;
    switch (row.state) {
      case 'uploading':
        return { state: 'uploading', uploadUrl: row.upload_url ?? '' };
      case 'done':
        return { state: 'done', assetId: row.asset_id ?? '' };
      default:
        return { state: 'refused', reason: row.reason ?? '', limits: row.limits ?? '' };
    }
  }

  /** Records what became of `sha256` (the file at `filePath` carried it this time). */
  rememberBackup(account: string, sha256: string, filePath: string, backup: Backup): void {
    this.statements.putBackup.run({
      account,
      sha256,
      state: backup.state,
      uploadUrl: backup.state === 'uploading' ? backup.uploadUrl : null,
      assetId: backup.state === 'done' ? backup.assetId : null,
      reason: backup.state === 'refused' ? backup.reason : null,
      limits: backup.state === 'refused' ? backup.limits : null,
      path: filePath,
      updatedAt: new Date().toISOString(),
    });
  }

  counts(account: string): StateCounts {
    const counts: StateCounts = { done: 0, uploading: 0, refused: 0 };
    for (const { state, count } of this.statements.counts.all(account)) {
      if (state === 'done' || state === 'uploading' || state === 'refused') counts[state] = count;
    }
    return counts;
  }

  close(): void {
    this.db.close();
  }
}
