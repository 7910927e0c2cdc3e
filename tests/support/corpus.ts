/**
 * The shared real-media corpus (../shared/corpus beside the repository) and its MANIFEST.tsv.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS_DIR = process.env.SHOEBOX_CORPUS_DIR ?? resolve(REPO_ROOT, '../shared/corpus');

export interface ManifestRow {
  filename: string;
  path: string;
  bytes: number;
  sha256: string;
  /** Kind from magic bytes: jpeg, png, heic, mp4, mov, empty, … */
  kind: string;
  width: number | null;
  height: number | null;
  dateTimeOriginal: string | null;
  orientation: number | null;
  note: string;
}

let cached: ManifestRow[] | undefined;

export function manifest(): ManifestRow[] {
  if (cached) return cached;
  const [header, ...lines] = readFileSync(join(CORPUS_DIR, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n');
  const columns = (header ?? '').split('\t');
  const at = (cells: string[], name: string): string => cells[columns.indexOf(name)] ?? '';
  const numberOrNull = (value: string): number | null => (value === '' ? null : Number(value));
  cached = lines.map((line) => {
    const cells = line.split('\t');
    const filename = at(cells, 'filename');
    return {
      filename,
      path: join(CORPUS_DIR, filename),
      bytes: Number(at(cells, 'bytes')),
      sha256: at(cells, 'sha256'),
      kind: at(cells, 'kind'),
      width: numberOrNull(at(cells, 'width')),
      height: numberOrNull(at(cells, 'height')),
      dateTimeOriginal: at(cells, 'exif_DateTimeOriginal') || null,
      orientation: numberOrNull(at(cells, 'orientation')),
      note: at(cells, 'note'),
    };
  });
  return cached;
}

export function corpusFile(filename: string): ManifestRow {
  const row = manifest().find((r) => r.filename === filename);
  if (!row) throw new Error(`${filename} is not in the corpus manifest`);
  return row;
}
