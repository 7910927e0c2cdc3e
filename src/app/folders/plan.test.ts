import { describe, expect, it } from 'vitest';
import type { SeenFile } from '../../queue/folder';
import { planScan } from './plan';
import type { PlanInput } from './plan';
import type { ListedFile } from './walk';

const T = 1_700_000_000_000;

function listed(path: string, bytes: string, lastModified = T): ListedFile {
  return { path, file: new File([bytes], path.split('/').pop() ?? path, { lastModified }) };
}

function seen(
  path: string,
  bytes: string,
  sourceSha256: string | null,
  folderId = 'f1',
  lastModified = T,
): SeenFile {
  return { folderId, path, size: bytes.length, lastModified, sourceSha256, itemId: null };
}

/** A stand-in hash that records what was hashed: the bytes themselves, prefixed. */
function recordingHash(): { hash: PlanInput['hash']; hashed: string[] } {
  const hashed: string[] = [];
  return {
    hashed,
    hash: async (file) => {
      hashed.push(file.name);
      return `sha:${await file.text()}`;
    },
  };
}

function input(files: ListedFile[], known: SeenFile[], hash: PlanInput['hash']): PlanInput {
  return {
    folderId: 'f1',
    listed: files,
    seen: new Map(known.filter((entry) => entry.folderId === 'f1').map((entry) => [entry.path, entry])),
    sameSize: (sizes) => Promise.resolve(known.filter((entry) => sizes.includes(entry.size))),
    hash,
  };
}

describe('planScan', () => {
  it('queues files new by path, size or date without hashing when no seen file has their size', async () => {
    const { hash, hashed } = recordingHash();
    const plan = await planScan(
      input(
        [listed('a.jpg', 'aaaa'), listed('b.jpg', 'bbbbb'), listed('c.jpg', 'cc', T + 1)],
        [seen('a.jpg', 'aaaa', null), seen('c.jpg', 'cc', null)],
        hash,
      ),
    );
    expect(plan.toQueue.map(({ listed }) => listed.path)).toEqual(['b.jpg', 'c.jpg']);
    expect(plan.toQueue.map(({ sourceSha256 }) => sourceSha256)).toEqual([null, null]);
    expect(hashed).toEqual([]);
    expect(plan.copies).toEqual([]);
  });

  it('does not queue a renamed file whose hash is known', async () => {
    const { hash, hashed } = recordingHash();
    const plan = await planScan(
      input([listed('renamed.jpg', 'aaaa')], [seen('a.jpg', 'aaaa', 'sha:aaaa')], hash),
    );
    expect(plan.toQueue).toEqual([]);
    expect(plan.copies).toEqual([seen('renamed.jpg', 'aaaa', 'sha:aaaa')]);
    expect(hashed).toEqual(['renamed.jpg']);
  });

  it('hashes the original of a copy when its hash is not known yet, and remembers it', async () => {
    const { hash, hashed } = recordingHash();
    const plan = await planScan(
      input([listed('a.jpg', 'aaaa'), listed('a copy.jpg', 'aaaa')], [seen('a.jpg', 'aaaa', null)], hash),
    );
    expect(plan.toQueue).toEqual([]);
    expect(plan.copies.map(({ path }) => path)).toEqual(['a copy.jpg']);
    expect(plan.learned).toEqual([seen('a.jpg', 'aaaa', 'sha:aaaa')]);
    expect(hashed.sort()).toEqual(['a copy.jpg', 'a.jpg']);
  });

  it('queues a file of the same size but other bytes, with the hash it computed', async () => {
    const { hash } = recordingHash();
    const plan = await planScan(input([listed('b.jpg', 'bbbb')], [seen('a.jpg', 'aaaa', 'sha:aaaa')], hash));
    expect(plan.toQueue.map(({ listed, sourceSha256 }) => [listed.path, sourceSha256])).toEqual([
      ['b.jpg', 'sha:bbbb'],
    ]);
    expect(plan.copies).toEqual([]);
  });

  it('queues a renamed file whose original is gone and was never hashed (the server deduplicates it)', async () => {
    const { hash } = recordingHash();
    const plan = await planScan(input([listed('renamed.jpg', 'aaaa')], [seen('a.jpg', 'aaaa', null)], hash));
    expect(plan.toQueue.map(({ listed }) => listed.path)).toEqual(['renamed.jpg']);
  });

  it('queues a file edited in place; the old content of that path is not mistaken for it', async () => {
    const { hash } = recordingHash();
    const plan = await planScan(input([listed('a.jpg', 'AAAA', T + 5)], [seen('a.jpg', 'aaaa', null)], hash));
    expect(plan.toQueue.map(({ listed }) => listed.path)).toEqual(['a.jpg']);
    expect(plan.learned).toEqual([]);
  });

  it('recognises a copy of a file seen in another folder', async () => {
    const { hash } = recordingHash();
    const plan = await planScan(
      input([listed('x.jpg', 'aaaa')], [seen('a.jpg', 'aaaa', 'sha:aaaa', 'other-folder')], hash),
    );
    expect(plan.toQueue).toEqual([]);
    expect(plan.copies.map(({ path }) => path)).toEqual(['x.jpg']);
  });

  it('queues one of two identical new files', async () => {
    const { hash } = recordingHash();
    const plan = await planScan(input([listed('a.jpg', 'aaaa'), listed('b.jpg', 'aaaa')], [], hash));
    expect(plan.toQueue.map(({ listed }) => listed.path)).toEqual(['a.jpg']);
    expect(plan.copies.map(({ path }) => path)).toEqual(['b.jpg']);
  });

  it('hashes each of many equal-sized files once', async () => {
    const { hash, hashed } = recordingHash();
    const files = Array.from({ length: 500 }, (_, index) =>
      listed(`${index}.jpg`, String(index).padStart(4, '0')),
    );
    const plan = await planScan(input([...files, listed('copy.jpg', '0042')], [], hash));
    expect(plan.toQueue).toHaveLength(500);
    expect(plan.copies.map(({ path }) => path)).toEqual(['copy.jpg']);
    expect(hashed).toHaveLength(501);
    expect(new Set(hashed).size).toBe(501);
  });

  it('does nothing when every file is seen unchanged', async () => {
    const { hash, hashed } = recordingHash();
    const plan = await planScan(input([listed('a.jpg', 'aaaa')], [seen('a.jpg', 'aaaa', null)], hash));
    expect(plan).toEqual({ toQueue: [], copies: [], learned: [] });
    expect(hashed).toEqual([]);
  });
});
