import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * How old a stray must be before it goes: FileStore writes an upload's file and then its record
 * (create), and unlinks the file and then the record (remove), each pair a few milliseconds
 * apart; an hour leaves any request in between alone.
 */
export const STRAY_GRACE_MS = 60 * 60 * 1000;

/**
 * Removes what a process killed inside one of FileStore's two-step operations leaves in its
 * folder (issue 18, the fault suite: 2 files after 10 SIGKILLs): an upload's file without its
 * `<id>.json` record, which tus's expiry never sees (deleteExpired walks the records) and no
 * client can resume (getUpload needs the record); and a record without its file, on which
 * deleteExpired's remove throws, so that nothing else would expire after it; and an upload whose
 * record was cut short while being written (FileKvStore.set is a plain writeFile): its get reads
 * nothing, so deleteExpired passes over it and getUpload calls it missing. Answers how many
 * files went. Run before the store's own expiry.
 */
export async function removeStrayUploads(
  directory: string,
  now: Date,
  graceMs: number = STRAY_GRACE_MS,
): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch (error) {
    // No folder: uploads go to another store (S3), or none was ever made.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const present = new Set(names);
  const strays = names.filter((name) =>
    name.endsWith('.json') ? !present.has(name.slice(0, -'.json'.length)) : !present.has(`${name}.json`),
  );
  for (const name of names) {
    if (name.endsWith('.json') && !strays.includes(name) && !(await readable(path.join(directory, name))))
      strays.push(name, name.slice(0, -'.json'.length));
  }
  let removed = 0;
  for (const name of strays) {
    const file = path.join(directory, name);
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile() || now.getTime() - stat.mtimeMs < graceMs) continue;
      await fs.rm(file);
      removed += 1;
    } catch (error) {
      // Gone meanwhile: its request finished it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}

/** Whether an upload's record holds what FileKvStore.get can read (JSON); a vanished one counts as readable. */
async function readable(record: string): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(record, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
