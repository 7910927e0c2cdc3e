import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../shared/limits';
import { StateDb, limitsKey } from './state';

describe('StateDb', () => {
  let file: string;

  beforeEach(async () => {
    file = path.join(await mkdtemp(path.join(os.tmpdir(), 'shoebox-state-')), 'nested', 'state.sqlite');
  });

  it('knows a file by path, size and modification time, and forgets it when either changes', () => {
    const state = StateDb.open(file);
    const key = { path: '/photos/a.jpg', size: 10, mtimeMs: 1_700_000_000_123.456 };
    expect(state.identity(key)).toBeNull();
    state.rememberIdentity(key, { kind: 'media', type: 'image/jpeg', pixels: 12, sha256: 'a'.repeat(64) });
    expect(state.identity(key)).toEqual({
      kind: 'media',
      type: 'image/jpeg',
      pixels: 12,
      sha256: 'a'.repeat(64),
    });
    expect(state.identity({ ...key, size: 11 })).toBeNull();
    expect(state.identity({ ...key, mtimeMs: key.mtimeMs + 1 })).toBeNull();
    state.rememberIdentity({ ...key, size: 0 }, { kind: 'unsupported', reason: 'This file is empty.' });
    expect(state.identity(key)).toBeNull();
    expect(state.identity({ ...key, size: 0 })).toEqual({
      kind: 'unsupported',
      reason: 'This file is empty.',
    });
    state.close();
  });

  it('keeps what became of each hash per account, across reopening', () => {
    const sha = 'b'.repeat(64);
    let state = StateDb.open(file);
    state.rememberBackup('https://a 1', sha, '/p/x.jpg', {
      state: 'uploading',
      uploadUrl: 'https://a/api/uploads/u1',
    });
    state.close();
    state = StateDb.open(file);
    expect(state.backup('https://a 1', sha)).toEqual({
      state: 'uploading',
      uploadUrl: 'https://a/api/uploads/u1',
    });
    expect(state.backup('https://b 1', sha)).toBeNull();
    state.rememberBackup('https://a 1', sha, '/p/x.jpg', { state: 'done', assetId: 'asset-1' });
    expect(state.backup('https://a 1', sha)).toEqual({ state: 'done', assetId: 'asset-1' });
    const limits = limitsKey(DEFAULT_LIMITS);
    state.rememberBackup('https://a 1', 'c'.repeat(64), '/p/y.jpg', {
      state: 'refused',
      reason: 'Too big.',
      limits,
    });
    expect(state.counts('https://a 1')).toEqual({ done: 1, uploading: 0, refused: 1 });
    expect(state.counts('https://b 1')).toEqual({ done: 0, uploading: 0, refused: 0 });
    state.close();
  });

  it('is a WAL database at the current schema version, readable by its owner only', async () => {
    StateDb.open(file).close();
    const raw = new SQLite(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  });
});
