import { describe, expect, it } from 'vitest';
import { FakeDirectoryHandle } from './testing/fakeHandles';
import { isHiddenOrSystem, isMediaName, listMedia } from './walk';

describe('isHiddenOrSystem', () => {
  it('skips dot entries and system folders, keeps ordinary names', () => {
    for (const name of [
      '.DS_Store',
      '.thumbnails',
      '.trashed-1700000000-IMG_1.jpg',
      'Thumbs.db',
      'desktop.ini',
    ]) {
      expect(isHiddenOrSystem(name), name).toBe(true);
    }
    for (const name of ['$RECYCLE.BIN', 'System Volume Information', '@eaDir', '__MACOSX']) {
      expect(isHiddenOrSystem(name), name).toBe(true);
    }
    for (const name of ['IMG_0001.jpg', 'Camera', 'Screenshots', 'photo.with.dots.jpg']) {
      expect(isHiddenOrSystem(name), name).toBe(false);
    }
  });
});

describe('isMediaName', () => {
  it('knows photo and video extensions in any case, including those browsers give no type', () => {
    for (const name of [
      'a.jpg',
      'b.JPEG',
      'c.heic',
      'd.HEIF',
      'e.dng',
      'f.mov',
      'g.MP4',
      'h.3gp',
      'i.webp',
    ]) {
      expect(isMediaName(name), name).toBe(true);
    }
    for (const name of ['notes.txt', 'a.pdf', 'jpg', '.jpg', 'archive.zip', 'IMG_0001']) {
      expect(isMediaName(name), name).toBe(false);
    }
  });
});

describe('listMedia', () => {
  it('walks subfolders in name order, with paths, leaving out hidden, system and other files', async () => {
    const root = new FakeDirectoryHandle('Camera');
    root.write('b.jpg', 'b');
    root.write('a.mp4', 'a');
    root.write('notes.txt', 'n');
    root.write('.hidden.jpg', 'h');
    root.write('2024/c.heic', 'c');
    root.write('2024/Thumbs.db', 't');
    root.write('.thumbnails/t.jpg', 't');
    root.write('@eaDir/b.jpg/SYNOFILE_THUMB_M.jpg', 's');
    root.write('2023/deep/d.png', 'd');
    const progress: number[] = [];
    const listed = await listMedia(root.asHandle(), { onProgress: (found) => progress.push(found) });
    expect(listed.map(({ path }) => path)).toEqual(['a.mp4', 'b.jpg', '2023/deep/d.png', '2024/c.heic']);
    expect(await listed[1]?.file.text()).toBe('b');
    expect(progress.at(-1)).toBe(4);
  });

  it('reports a subfolder it cannot read and goes on; an unreadable root throws', async () => {
    const root = new FakeDirectoryHandle('Camera');
    root.write('a.jpg', 'a');
    root.write('gone/b.jpg', 'b');
    const gone = root.children.find((child) => child.name === 'gone') as FakeDirectoryHandle;
    gone.failure = new DOMException('It was deleted.', 'NotFoundError');
    const unreadable: string[] = [];
    const listed = await listMedia(root.asHandle(), { onUnreadable: (path) => unreadable.push(path) });
    expect(listed.map(({ path }) => path)).toEqual(['a.jpg']);
    expect(unreadable).toEqual(['gone']);

    root.failure = new DOMException('Permission lost.', 'NotAllowedError');
    await expect(listMedia(root.asHandle())).rejects.toThrow('Permission lost.');
  });

  it('stops when aborted', async () => {
    const root = new FakeDirectoryHandle('Camera');
    root.write('a.jpg', 'a');
    const controller = new AbortController();
    controller.abort();
    await expect(listMedia(root.asHandle(), { signal: controller.signal })).rejects.toThrow();
  });
});
