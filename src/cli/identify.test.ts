import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../../tests/support/corpus';
import { DEFAULT_LIMITS, EMPTY_FILE_REASON, UNKNOWN_TYPE_REASON } from '../shared/limits';
import { identify, localCaptureTime } from './identify';

const key = (file: string, size: number): { path: string; size: number; mtimeMs: number } => ({
  path: file,
  size,
  mtimeMs: 0,
});

describe('identify', () => {
  it('sniffs, reads the pixel size from the headers and streams the SHA-256, as the app does', async () => {
    const row = corpusFile('IMG_2927.jpg'); // a HEIC named .jpg
    const { identity, hashedBytes } = await identify(key(row.path, row.bytes), null, DEFAULT_LIMITS);
    expect(identity).toEqual({
      kind: 'media',
      type: 'image/heic',
      pixels: (row.width ?? 0) * (row.height ?? 0),
      sha256: row.sha256,
    });
    expect(hashedBytes).toBe(row.bytes);
  });

  it('reads nothing it already knows, and hashes nothing over the limits', async () => {
    const row = corpusFile('canon-dslr.jpg');
    const known = { kind: 'media', type: 'image/jpeg', pixels: 1, sha256: 'f'.repeat(64) } as const;
    expect(await identify(key('/does/not/exist', 1), known, DEFAULT_LIMITS)).toEqual({
      identity: known,
      hashedBytes: 0,
    });

    const small = { ...DEFAULT_LIMITS, maxPhotoPixels: 16_000_000 };
    const over = await identify(key(row.path, row.bytes), null, small);
    expect(over).toEqual({
      identity: { kind: 'media', type: 'image/jpeg', pixels: 5184 * 3456, sha256: null },
      hashedBytes: 0,
    });
    // Once the limits allow it, the hash is taken.
    const within = await identify(key(row.path, row.bytes), over.identity, DEFAULT_LIMITS);
    expect(within.identity).toMatchObject({ sha256: row.sha256 });
  });

  it('says why a file is not a photo or video, in the app’s words', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-identify-'));
    await writeFile(path.join(dir, 'notes.jpg'), 'not a photo');
    expect((await identify(key(path.join(dir, 'notes.jpg'), 11), null, DEFAULT_LIMITS)).identity).toEqual({
      kind: 'unsupported',
      reason: UNKNOWN_TYPE_REASON,
    });
    expect((await identify(key(path.join(dir, 'empty.jpg'), 0), null, DEFAULT_LIMITS)).identity).toEqual({
      kind: 'unsupported',
      reason: EMPTY_FILE_REASON,
    });
  });

  it('hashes a video as it is on disk', async () => {
    const row = corpusFile('with-gps.mov');
    const { identity } = await identify(key(row.path, row.bytes), null, DEFAULT_LIMITS);
    expect(identity).toMatchObject({ type: 'video/quicktime', pixels: null });
    expect(identity.kind === 'media' && identity.sha256).toBe(
      createHash('sha256').update(readFileSync(row.path)).digest('hex'),
    );
  });
});

describe('localCaptureTime', () => {
  it('is this computer’s wall-clock time with its offset, which the server parses as such', () => {
    const at = Date.UTC(2021, 3, 11, 13, 47, 53, 120);
    const text = localCaptureTime(at);
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
    // The same instant, whatever zone the tests run in.
    expect(new Date(text).getTime()).toBe(at);
  });
});
