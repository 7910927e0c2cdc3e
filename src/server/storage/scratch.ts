/**
 * Each server process's own scratch directory, `<dataDir>/tmp/<host>-<pid>`: thumbnails on their
 * way into the store, copies for decoders, uploads being finished. Several processes may share a
 * data directory, so none empties another's: a process empties only its own at start and removes
 * it when it stops, and clears away those of processes on this host that are gone (a crash leaves
 * its directory behind). Directories of other hosts are left alone until a week without a change.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const FORGOTTEN_MS = 7 * 24 * 60 * 60 * 1000;

export interface ScratchDir {
  path: string;
  /** Deletes it and everything in it. */
  remove(): Promise<void>;
}

/** A host name as a file name may hold it. */
const hostTag = (): string => os.hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'host';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, run by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the scratch directory `name` (in `root`) belongs to no running process. */
async function isLeftOver(root: string, name: string, host: string, now: number): Promise<boolean> {
  const match = /^(.*)-(\d+)$/.exec(name);
  if (match === null) return false;
  const [, owner, pid] = match;
  if (owner === host) return !isAlive(Number(pid));
  const stat = await fs.stat(path.join(root, name)).catch(() => null);
  return stat !== null && now - stat.mtimeMs > FORGOTTEN_MS;
}

/** Makes this process's scratch directory under `root`, empty, and clears away those left over. */
export async function openScratchDir(root: string, now: Date = new Date()): Promise<ScratchDir> {
  const host = hostTag();
  const own = `${host}-${process.pid}`;
  const dir = path.join(root, own);
  await fs.mkdir(root, { recursive: true });
  for (const entry of await fs.readdir(root, { withFileTypes: true })) {
    // Before per-process directories, scratch files lay in `root` itself.
    const leftOver =
      entry.name === own || !entry.isDirectory() || (await isLeftOver(root, entry.name, host, now.getTime()));
    if (leftOver) await fs.rm(path.join(root, entry.name), { recursive: true, force: true });
  }
  await fs.mkdir(dir, { recursive: true });
  return { path: dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}
