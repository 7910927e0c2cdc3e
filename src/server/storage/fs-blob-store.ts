import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { keySegments, type BlobStore, type ByteRange } from './blob-store';

const isNotFound = (error: unknown): boolean =>
  error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';

async function fsyncPath(target: string, flags: number = constants.O_RDONLY): Promise<void> {
  const handle = await fs.open(target, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Blobs as files under `root`: `<root>/<ownerId>/<sha[0:2]>/<sha>`. */
export class FsBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  pathOf(key: string): string {
    return path.join(this.root, ...keySegments(key));
  }

  localPath(key: string): string {
    return this.pathOf(key);
  }

  async putFile(key: string, sourcePath: string): Promise<void> {
    const target = this.pathOf(key);
    if (await this.exists(key)) {
      await fs.rm(sourcePath, { force: true });
      return;
    }
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true });
    // The bytes reach the disk before the name does, so a crash never leaves a short blob.
    await fsyncPath(sourcePath, constants.O_RDWR);
    try {
      await fs.rename(sourcePath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await this.#copyAcrossDevices(sourcePath, target);
    }
    // A rename is durable once its directory is; new directories need their parents synced too.
    for (let at = dir; ; at = path.dirname(at)) {
      await fsyncPath(at);
      if (at === this.root) break;
    }
  }

  async #copyAcrossDevices(sourcePath: string, target: string): Promise<void> {
    const partial = `${target}.partial`;
    await fs.copyFile(sourcePath, partial);
    await fsyncPath(partial, constants.O_RDWR);
    await fs.rename(partial, target);
    await fs.rm(sourcePath, { force: true });
  }

  async createReadStream(key: string, range?: ByteRange): Promise<Readable> {
    const handle = await fs.open(this.pathOf(key), 'r');
    return handle.createReadStream(range === undefined ? {} : { start: range.start, end: range.end });
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const stats = await fs.stat(this.pathOf(key));
      return stats.isFile() ? { size: stats.size } : null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }
}
