import { describe, expect, it } from 'vitest';
import { filesFromDrop } from './droppedFiles';

/**
 * Fake entries of the Entries API (https://wicg.github.io/entries-api/), shaped as Chromium hands
 * them out on a real drop: a synthetic DataTransfer cannot carry a directory, so the folder walk
 * is tested here and the file drop end to end (tests/e2e/backup-adding.test.ts).
 */
type FakeEntry = FileSystemFileEntry | FileSystemDirectoryEntry;

function fileEntry(name: string, body = name): FileSystemFileEntry {
  return {
    isFile: true,
    isDirectory: false,
    name,
    file: (resolve: (file: File) => void) => setTimeout(() => resolve(new File([body], name))),
  } as unknown as FileSystemFileEntry;
}

/** A directory whose reader answers in batches of `batch`, then an empty batch, as Chromium's does. */
function directoryEntry(name: string, children: FakeEntry[], batch = 100): FileSystemDirectoryEntry {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      let next = 0;
      return {
        readEntries: (resolve: (entries: FileSystemEntry[]) => void) =>
          setTimeout(() => {
            resolve(children.slice(next, next + batch));
            next += batch;
          }),
      };
    },
  } as unknown as FileSystemDirectoryEntry;
}

interface FakeItem {
  kind: 'file' | 'string';
  entry?: FileSystemEntry | null;
  file?: File | null;
}

function transferOf(items: FakeItem[], files: File[] = []): DataTransfer {
  return {
    items: items.map((item) => ({
      kind: item.kind,
      webkitGetAsEntry: () => item.entry ?? null,
      getAsFile: () => item.file ?? null,
    })),
    files,
  } as unknown as DataTransfer;
}

const names = (files: File[]): string[] => files.map((file) => file.name).sort();

describe('filesFromDrop', () => {
  it('walks a dropped folder and its subfolders, past readEntries’ batches', async () => {
    const many = Array.from({ length: 250 }, (_, i) => fileEntry(`IMG_${String(i).padStart(3, '0')}.jpg`));
    const folder = directoryEntry('Camera', [
      ...many,
      directoryEntry('Trip', [fileEntry('beach.jpg'), directoryEntry('Day 2', [fileEntry('dune.mp4')])]),
      directoryEntry('Empty', []),
    ]);
    const files = await filesFromDrop(transferOf([{ kind: 'file', entry: folder }]));
    expect(files).toHaveLength(252);
    expect(names(files)).toEqual([...many.map((entry) => entry.name), 'beach.jpg', 'dune.mp4'].sort());
    expect(await files.find((file) => file.name === 'dune.mp4')?.text()).toBe('dune.mp4');
  });

  it('takes files and folders dropped together, and ignores dragged text', async () => {
    const files = await filesFromDrop(
      transferOf([
        { kind: 'string' },
        { kind: 'file', entry: fileEntry('loose.jpg') },
        { kind: 'file', entry: directoryEntry('Folder', [fileEntry('inside.heic')]) },
      ]),
    );
    expect(names(files)).toEqual(['inside.heic', 'loose.jpg']);
  });

  it('uses the item’s File where the browser gives no entry', async () => {
    const file = new File(['x'], 'made-in-page.jpg');
    expect(await filesFromDrop(transferOf([{ kind: 'file', entry: null, file }]))).toEqual([file]);
  });

  it('falls back to DataTransfer.files when no item is a file', async () => {
    const file = new File(['x'], 'old-browser.jpg');
    expect(await filesFromDrop(transferOf([{ kind: 'string' }], [file]))).toEqual([file]);
  });

  it('rejects when a folder cannot be read, so the page can say so', async () => {
    const unreadable = {
      isFile: false,
      isDirectory: true,
      name: 'Private',
      createReader: () => ({
        readEntries: (_resolve: unknown, reject: (error: DOMException) => void) =>
          reject(new DOMException('A requested file or directory could not be found.', 'NotFoundError')),
      }),
    } as unknown as FileSystemDirectoryEntry;
    await expect(filesFromDrop(transferOf([{ kind: 'file', entry: unreadable }]))).rejects.toThrow(
      'could not be found',
    );
  });
});
