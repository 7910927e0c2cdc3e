import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliError } from './errors';
import { scan } from './scan';

describe('scan', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'shoebox-scan-'));
    const files = [
      'Trip/IMG_1.JPG',
      'Trip/IMG_2.jpg',
      'Trip/notes.txt',
      'Trip/@eaDir/IMG_1.JPG/SYNOFILE_THUMB_M.jpg',
      'Trip/day 2/clip.mp4',
      'b.heic',
      '.hidden.jpg',
    ];
    for (const file of files) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), file);
    }
    await symlink(path.join(root, 'b.heic'), path.join(root, 'link-to-b.heic'));
    await symlink(path.join(root, 'Trip'), path.join(root, 'link-to-Trip'));
    await symlink(path.join(root, 'gone.jpg'), path.join(root, 'dangling.jpg'));
  });

  const names = async (inputs: string[], include: string[] = [], exclude: string[] = []): Promise<string[]> =>
    (await scan(inputs, { include, exclude, cwd: root })).map((file) => file.display);

  it('walks folders recursively in name order, following links to files but not to folders', async () => {
    expect(await names(['.'])).toEqual([
      '.hidden.jpg',
      'b.heic',
      'link-to-b.heic',
      'Trip/IMG_1.JPG',
      'Trip/IMG_2.jpg',
      'Trip/notes.txt',
      'Trip/@eaDir/IMG_1.JPG/SYNOFILE_THUMB_M.jpg',
      'Trip/day 2/clip.mp4',
    ]);
  });

  it('keeps each file once, with its size and time', async () => {
    const files = await scan(['Trip', 'Trip/IMG_2.jpg', '.'], { include: [], exclude: [], cwd: root });
    expect(files.filter((file) => file.display === 'Trip/IMG_2.jpg')).toEqual([
      expect.objectContaining({ path: path.join(root, 'Trip/IMG_2.jpg'), size: 'Trip/IMG_2.jpg'.length }),
    ]);
    expect(files.every((file) => file.mtimeMs > 0)).toBe(true);
  });

  it('matches globs below the folder given: a name at any depth, any case; folders excluded whole', async () => {
    expect(await names(['Trip'], ['*.jpg'], ['@eaDir'])).toEqual(['Trip/IMG_1.JPG', 'Trip/IMG_2.jpg']);
    expect(await names(['Trip'], [], ['*.txt', 'day 2/**', '@eaDir'])).toEqual([
      'Trip/IMG_1.JPG',
      'Trip/IMG_2.jpg',
    ]);
    expect(await names(['.'], ['*.mp4', '*.heic'], ['link-*'])).toEqual(['b.heic', 'Trip/day 2/clip.mp4']);
    // A file named on the command line is taken whatever the globs say.
    expect(await names(['Trip/notes.txt'], ['*.jpg'])).toEqual(['Trip/notes.txt']);
  });

  it('refuses paths that do not exist, naming them, before anything else', async () => {
    const refused = scan(['Trip', 'nope', 'Trip/IMG_2.jpg/x'], { include: [], exclude: [], cwd: root });
    await expect(refused).rejects.toThrow(CliError);
    await expect(refused).rejects.toThrow(
      'No such file or folder: nope, Trip/IMG_2.jpg/x. Nothing was uploaded.',
    );
  });
});
