import type { SeenFile } from '../../queue/folder';
import type { ListedFile } from './walk';

/** A file a scan found new: its content was not seen before, so it goes into the queue. */
export interface NewFile {
  listed: ListedFile;
  /** Its SHA-256 when the scan had to hash it (a file of the same size was seen); else null. */
  sourceSha256: string | null;
}

export interface ScanPlan {
  toQueue: NewFile[];
  /** New paths whose bytes equal a file already seen (a rename or a copy): recorded, not queued. */
  copies: SeenFile[];
  /** Seen files whose hash this scan learned while comparing: recorded so no later scan rehashes them. */
  learned: SeenFile[];
}

export interface PlanInput {
  folderId: string;
  /** Every photo and video in the folder now. */
  listed: readonly ListedFile[];
  /** What earlier scans of this folder saw, by path. */
  seen: ReadonlyMap<string, SeenFile>;
  /** Seen files of any folder with one of these sizes. */
  sameSize: (sizes: number[]) => Promise<SeenFile[]>;
  hash: (file: File) => Promise<string>;
}

/** The file at a seen path is the same file when its size and modification time are. */
export function isUnchanged(file: File, seen: SeenFile | undefined): boolean {
  return seen !== undefined && seen.size === file.size && seen.lastModified === file.lastModified;
}

/**
 * Decides what a scan queues. A file is known by its path, size and modification time first;
 * one that is new by those is hashed only when a file of the same size was seen (a rename or a
 * copy keeps the size, and hashing every new file of a first scan would read the whole folder
 * twice, the prepare step hashing it again), and it is queued unless its SHA-256 equals one of
 * those. A file seen before whose hash is not known yet is hashed from the folder, if it is
 * still there unchanged; if not, the new file is queued, and the server recognises the duplicate
 * by its sourceSha256 (DESIGN §5), so nothing is stored twice.
 */
export async function planScan(input: PlanInput): Promise<ScanPlan> {
  const { folderId, listed, seen, sameSize, hash } = input;
  const changed = listed.filter(({ path, file }) => !isUnchanged(file, seen.get(path)));
  const plan: ScanPlan = { toQueue: [], copies: [], learned: [] };
  if (changed.length === 0) return plan;

  const listedAt = new Map(listed.map((entry) => [entry.path, entry]));
  const hashes = new Map<string, Promise<string>>();
  const hashOf = (entry: ListedFile): Promise<string> => {
    let sha = hashes.get(entry.path);
    if (sha === undefined) {
      sha = hash(entry.file);
      hashes.set(entry.path, sha);
    }
    return sha;
  };
  /** The seen file, unchanged, in this folder now. */
  const stillThere = (entry: SeenFile): ListedFile | null => {
    const current = entry.folderId === folderId ? listedAt.get(entry.path) : undefined;
    return current !== undefined && isUnchanged(current.file, entry) ? current : null;
  };
  const isStillThere = (entry: SeenFile): boolean => stillThere(entry) !== null;
  const learnedPaths = new Set<string>();
  /** The hash of a seen file: stored, or read now from the folder if the same file is still there. */
  const hashOfSeen = async (entry: SeenFile): Promise<string | null> => {
    if (entry.sourceSha256 !== null) return entry.sourceSha256;
    const current = stillThere(entry);
    if (current === null) return null;
    const sha = await hashOf(current);
    if (!learnedPaths.has(entry.path)) {
      learnedPaths.add(entry.path);
      plan.learned.push({ ...entry, sourceSha256: sha });
    }
    return sha;
  };

  // Earlier files of each size: those seen before, then those new in this scan (a photo copied
  // twice into the folder since the last scan is queued once). Their hashes are worked out the
  // first time a new file of that size needs them, each once, so a folder of many equal-sized
  // files costs one hash per file rather than a comparison with every earlier one.
  const bySize = new Map<number, { unresolved: (() => Promise<string | null>)[]; hashes: Set<string> }>();
  const groupOf = (size: number): { unresolved: (() => Promise<string | null>)[]; hashes: Set<string> } => {
    let group = bySize.get(size);
    if (group === undefined) {
      group = { unresolved: [], hashes: new Set() };
      bySize.set(size, group);
    }
    return group;
  };
  for (const entry of await sameSize([...new Set(changed.map(({ file }) => file.size))])) {
    // Only seen files whose hash is known or can be read: comparing with the others is impossible,
    // and hashing the new file for them would be wasted.
    if (entry.sourceSha256 !== null || isStillThere(entry))
      groupOf(entry.size).unresolved.push(() => hashOfSeen(entry));
  }

  for (const entry of changed) {
    const { file } = entry;
    const group = groupOf(file.size);
    let sha: string | null = null;
    let copy = false;
    if (group.unresolved.length > 0 || group.hashes.size > 0) {
      sha = await hashOf(entry);
      for (const resolve of group.unresolved.splice(0)) {
        const earlier = await resolve();
        if (earlier !== null) group.hashes.add(earlier);
      }
      copy = group.hashes.has(sha);
    }
    if (copy) {
      plan.copies.push({
        folderId,
        path: entry.path,
        size: file.size,
        lastModified: file.lastModified,
        sourceSha256: sha,
        itemId: null,
      });
    } else {
      plan.toQueue.push({ listed: entry, sourceSha256: sha });
    }
    if (sha === null) group.unresolved.push(() => hashOf(entry));
    else group.hashes.add(sha);
  }
  return plan;
}
