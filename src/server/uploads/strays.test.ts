import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStrayUploads, STRAY_GRACE_MS } from './strays';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-strays-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, ageMs: number): Promise<void> {
  const file = path.join(dir, name);
  await fs.writeFile(file, name.endsWith('.json') ? '{}' : 'x');
  const when = new Date(Date.now() - ageMs);
  await fs.utimes(file, when, when);
}

describe('removeStrayUploads', () => {
  it('removes old files without records and records without files, and nothing else', async () => {
    const old = STRAY_GRACE_MS + 60_000;
    await write('u_file-only', old);
    await write('u_record-only.json', old);
    await write('u_pair', old);
    await write('u_pair.json', old);
    // A record cut short while being written: both go.
    await write('u_cut', old);
    await fs.writeFile(path.join(dir, 'u_cut.json'), '{"id":"u_cut","si');
    await fs.utimes(path.join(dir, 'u_cut.json'), new Date(Date.now() - old), new Date(Date.now() - old));
    // Between FileStore's two writes right now: left alone.
    await write('u_young', 1_000);
    expect(await removeStrayUploads(dir, new Date())).toBe(4);
    expect((await fs.readdir(dir)).sort()).toEqual(['u_pair', 'u_pair.json', 'u_young']);
  });

  it('answers 0 when the folder does not exist', async () => {
    expect(await removeStrayUploads(path.join(dir, 'none'), new Date())).toBe(0);
  });
});
