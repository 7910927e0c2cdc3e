/**
 * Thumbnail throughput on the corpus (issue 4's benchmark): files per second per core, counted as
 * files per CPU-second of the whole process (libvips threads and the HEIF worker included), and
 * wall-clock rates one at a time and two at a time.
 *
 *   node --import tsx src/server/imaging/measure-throughput.ts [passes]
 */
import { cpus } from 'node:os';
import { manifest } from '../../../tests/support/corpus';
import { closeHeifDecoder } from './heif-decoder';
import { makeThumbnails } from './thumbnails';

const MIME_OF_KIND: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heic: 'image/heic',
};

interface Run {
  files: number;
  wallSeconds: number;
  cpuSeconds: number;
}

async function run(paths: readonly { path: string; mimeType: string }[], parallel: number): Promise<Run> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let made = 0;
  const lane = async (): Promise<void> => {
    while (next < paths.length) {
      const file = paths[next];
      next += 1;
      if (!file) continue;
      const result = await makeThumbnails(file.path, file.mimeType);
      if (result.status === 'ok') made += 1;
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    files: made,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

async function main(): Promise<void> {
  const passes = Number(process.argv[2] ?? 3);
  const files = manifest()
    .filter((row) => MIME_OF_KIND[row.kind] !== undefined && !row.note.startsWith('BROKEN:'))
    .map((row) => ({ path: row.path, mimeType: MIME_OF_KIND[row.kind] ?? '', kind: row.kind }));
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  print(
    `${files.length} decodable corpus photos (${files.filter((f) => f.kind === 'heic').length} HEIC), ${cpus().length} cores`,
  );

  // One warm-up pass: the HEIF worker's WebAssembly compiles and tiers up on first use.
  await run(files, 1);
  for (const parallel of [1, 2]) {
    const total: Run = { files: 0, wallSeconds: 0, cpuSeconds: 0 };
    for (let pass = 0; pass < passes; pass += 1) {
      const result = await run(files, parallel);
      total.files += result.files;
      total.wallSeconds += result.wallSeconds;
      total.cpuSeconds += result.cpuSeconds;
    }
    print(
      `${parallel} at a time: ${(total.files / total.wallSeconds).toFixed(2)} files/s wall, ` +
        `${(total.files / total.cpuSeconds).toFixed(2)} files per CPU-second (per core)`,
    );
  }
  for (const kind of ['jpeg', 'heic']) {
    const subset = files.filter((f) => f.kind === kind);
    const result = await run(subset, 1);
    print(
      `${kind}: ${(result.files / result.cpuSeconds).toFixed(2)} files per CPU-second (${subset.length} files)`,
    );
  }
  await closeHeifDecoder();
}

await main();
