/**
 * The files `shoebox upload PATH…` is about: each file named, and every file under each folder
 * named, recursively, with include and exclude globs (picomatch) matched against the path below
 * the folder given. Only stats, no reads: the totals for the progress bar come from here.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { CliError } from './errors';

export interface ScannedFile {
  /** Absolute. */
  path: string;
  /** As the user would write it: relative to the working directory when below it. */
  display: string;
  size: number;
  mtimeMs: number;
}

export interface ScanOptions {
  /** Globs a file must match one of (none: every file). */
  include: readonly string[];
  /** Globs of files and folders to leave out. */
  exclude: readonly string[];
  /** Where relative paths are shown from. */
  cwd?: string;
}

/** Stats at once per folder: enough to keep the disk busy, few enough for the thread pool. */
const STAT_CONCURRENCY = 32;

type Matcher = (relative: string) => boolean;

/**
 * Globs as people write them for photos: `*.jpg` matches at any depth (a pattern without a slash
 * is matched against the name), case does not matter (`*.jpg` takes `IMG_1.JPG`), and dot files
 * are matched like others.
 */
function matcher(globs: readonly string[]): Matcher | null {
  if (globs.length === 0) return null;
  return picomatch([...globs], { basename: true, nocase: true, dot: true });
}

function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Every file to consider, in a stable order (a folder's files in name order, then its folders'),
 * each once. A path that
 * does not exist is a usage error before anything is read. Symbolic links to files are followed;
 * links to folders are not walked (they could loop, or lead out of what was asked).
 */
export async function scan(inputs: readonly string[], options: ScanOptions): Promise<ScannedFile[]> {
  const cwd = options.cwd ?? process.cwd();
  const include = matcher(options.include);
  const exclude = matcher(options.exclude);
  const files: ScannedFile[] = [];
  const seen = new Set<string>();

  const add = (absolute: string, size: number, mtimeMs: number): void => {
    if (seen.has(absolute)) return;
    seen.add(absolute);
    files.push({ path: absolute, display: displayPath(absolute, cwd), size, mtimeMs });
  };

  const walk = async (root: string, dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const folders: string[] = [];
    const candidates: string[] = [];
    for (const entry of entries) {
      const absolute = path.join(dir, entry.name);
      const relative = path.relative(root, absolute).split(path.sep).join('/');
      if (exclude?.(relative) === true) continue;
      if (entry.isDirectory()) folders.push(absolute);
      else if ((entry.isFile() || entry.isSymbolicLink()) && (include === null || include(relative))) {
        candidates.push(absolute);
      }
    }
    const stats = await mapLimit(candidates, STAT_CONCURRENCY, async (file) => {
      try {
        return await stat(file);
      } catch (error) {
        // A dangling link, or a file deleted since the listing: nothing to back up.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    });
    candidates.forEach((file, index) => {
      const info = stats[index];
      if (info?.isFile() === true) add(file, info.size, info.mtimeMs);
    });
    for (const folder of folders) await walk(root, folder);
  };

  const roots = inputs.map((input) => path.resolve(cwd, input));
  const infos = await Promise.all(
    roots.map(async (root) => {
      try {
        return await stat(root);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw error;
      }
    }),
  );
  const missing = roots.filter((_, index) => infos[index] === null);
  if (missing.length > 0) {
    throw new CliError(
      'usage',
      `No such file or folder: ${missing.map((root) => displayPath(root, cwd)).join(', ')}. Nothing was uploaded.`,
    );
  }
  for (const [index, root] of roots.entries()) {
    const info = infos[index];
    if (info?.isDirectory() === true) await walk(root, root);
    // A file named on the command line is taken whatever the globs say: it was asked for by name.
    else if (info?.isFile() === true) add(root, info.size, info.mtimeMs);
  }
  return files;
}
