import { describe, expect, it } from 'vitest';
import { pickedFolderName } from './folderAlbum';

/** A file as a folder pick gives it: webkitRelativePath starts with the folder's name. */
function picked(relativePath: string): File {
  const file = new File(['x'], relativePath.split('/').at(-1) ?? '');
  Object.defineProperty(file, 'webkitRelativePath', { value: relativePath });
  return file;
}

describe('pickedFolderName', () => {
  it('names the picked folder, not its subfolders, and nothing for a plain pick', () => {
    expect(pickedFolderName([picked('Rome 2024/day 1/IMG_1.jpg'), picked('Rome 2024/IMG_2.jpg')])).toBe(
      'Rome 2024',
    );
    expect(pickedFolderName([new File(['x'], 'IMG_1.jpg')])).toBeNull();
    expect(pickedFolderName([])).toBeNull();
    expect(pickedFolderName([picked(`${'a'.repeat(300)}/IMG_1.jpg`)])?.length).toBe(200);
  });
});
