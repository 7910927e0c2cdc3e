import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openScratchDir } from './scratch';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** The id of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  if (child.pid === undefined) throw new Error('The child had no pid.');
  return child.pid;
}

describe('openScratchDir', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-scratch-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const exists = (name: string) =>
    fs.stat(path.join(root, name)).then(
      () => true,
      () => false,
    );

  it('gives each process its own empty directory and clears only what no running process owns', async () => {
    const now = new Date();
    // The host tag as the module writes it, read from the directory it makes.
    const probe = await openScratchDir(root, now);
    const host = path.basename(probe.path).slice(0, -`-${process.pid}`.length);
    await fs.writeFile(path.join(probe.path, 'left-by-a-crash'), 'x');

    const dead = `${host}-${await deadPid()}`;
    const alive = `${host}-${process.ppid}`;
    const otherHostRecent = 'another-host-123';
    const otherHostOld = 'another-host-456';
    for (const name of [dead, alive, otherHostRecent, otherHostOld]) {
      await fs.mkdir(path.join(root, name));
      await fs.writeFile(path.join(root, name, 'thumb.webp'), 'x');
    }
    const old = new Date(now.getTime() - WEEK_MS - 60_000);
    await fs.utimes(path.join(root, otherHostOld), old, old);
    // A scratch file of a version before per-process directories.
    await fs.writeFile(path.join(root, 'put-1234'), 'x');

    const scratch = await openScratchDir(root, now);
    expect(scratch.path).toBe(probe.path);
    expect(await fs.readdir(scratch.path)).toEqual([]);
    expect(await exists(dead)).toBe(false);
    expect(await exists(alive)).toBe(true);
    expect(await exists(otherHostRecent)).toBe(true);
    expect(await exists(otherHostOld)).toBe(false);
    expect(await exists('put-1234')).toBe(false);

    await scratch.remove();
    expect(await exists(path.basename(scratch.path))).toBe(false);
    expect(await exists(alive)).toBe(true);
  });
});
