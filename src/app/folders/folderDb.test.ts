import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SeenFile } from '../../queue/folder';
import { FolderDb } from './folderDb';
import { FakeDirectoryHandle } from './testing/fakeHandles';

let db: FolderDb;

beforeEach(async () => {
  db = await FolderDb.open({ name: `folder-db-test-${crypto.randomUUID()}` });
});

afterEach(() => db.close());

const entry = (folderId: string, index: number): SeenFile => ({
  folderId,
  path: `IMG_${index}.jpg`,
  size: 1_000 + (index % 50),
  lastModified: 1,
  sourceSha256: null,
  itemId: null,
});

describe('FolderDb', () => {
  it('finds seen files of the given sizes across folders, by lookup or by one read', async () => {
    const a = await db.add(new FakeDirectoryHandle('A').asHandle(), 1);
    const b = await db.add(new FakeDirectoryHandle('B').asHandle(), 2);
    await db.record(
      a.id,
      Array.from({ length: 200 }, (_, index) => entry(a.id, index)),
    );
    await db.record(b.id, [entry(b.id, 7)]);
    // Few sizes against 201 seen files: one lookup per size.
    const few = await db.sameSize([1_007]);
    expect(few.map(({ folderId, path }) => `${folderId === a.id ? 'A' : 'B'}/${path}`).sort()).toEqual([
      'A/IMG_107.jpg',
      'A/IMG_157.jpg',
      'A/IMG_57.jpg',
      'A/IMG_7.jpg',
      'B/IMG_7.jpg',
    ]);
    // As many sizes as a first scan brings: the whole store, filtered.
    const many = await db.sameSize(Array.from({ length: 40 }, (_, index) => 1_000 + index));
    expect(many).toHaveLength(161);
    expect(await db.sameSize([5])).toEqual([]);
  });

  it('lists folders in the order added and keeps each folder’s index apart', async () => {
    const b = await db.add(new FakeDirectoryHandle('B').asHandle(), 2);
    const a = await db.add(new FakeDirectoryHandle('A').asHandle(), 1);
    expect((await db.list()).map(({ name }) => name)).toEqual(['A', 'B']);
    await db.record(a.id, [entry(a.id, 1)]);
    await db.record(b.id, [entry(b.id, 1), entry(b.id, 2)]);
    expect([...(await db.seen(a.id)).keys()]).toEqual(['IMG_1.jpg']);
    await db.remove(b.id);
    expect(await db.seen(b.id)).toEqual(new Map());
    expect((await db.seen(a.id)).size).toBe(1);
  });
});
