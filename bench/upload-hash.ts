/**
 * `npm run bench -- upload-hash`: the two ways issue 13 allows the server to hash an upload,
 * on a 512 MB file written the way tus writes it (8 MiB PATCHes):
 *   (a) at the end, once, by streaming the complete file through Node's SHA-256 (what Shoebox does);
 *   (b) as the bytes land, with hash-wasm, its state saved after each PATCH and loaded before the
 *       next (what surviving a restart or a move to another process would take).
 * Prints CPU seconds per GB for each and the time (a) adds to the final answer. The baseline is
 * (a)'s plain read of the same file without hashing, in the same run.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSHA256 } from 'hash-wasm';
import { hashFile } from '../src/server/library/media-info.ts';

const SIZE = 512 * 1024 * 1024;
const CHUNK = 8 * 1024 * 1024;
const SOCKET_READ = 64 * 1024;

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

async function timed(task: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await task();
  return { wall: (performance.now() - start) / 1000, cpu: cpuSeconds(cpu) };
}

export async function run(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-bench-hash-'));
  const file = path.join(dir, 'upload');
  try {
    const block = Buffer.alloc(CHUNK);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
    const handle = await fs.open(file, 'w');
    for (let offset = 0; offset < SIZE; offset += CHUNK) await handle.write(block, 0, CHUNK, offset);
    await handle.close();
    const gb = SIZE / 1e9;

    const read = await timed(async () => {
      for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) void chunk;
    });
    const end = await timed(() => hashFile(file));

    // (b): what each PATCH would do: load the saved state, hash its body in the socket's reads,
    // save the state for the next request. The body is in memory, so this is the hash's cost alone.
    const wasm = await createSHA256();
    let saved: Uint8Array | null = null;
    const landing = await timed(async () => {
      for (let offset = 0; offset < SIZE; offset += CHUNK) {
        if (saved === null) wasm.init();
        else wasm.load(saved);
        for (let at = 0; at < CHUNK; at += SOCKET_READ) wasm.update(block.subarray(at, at + SOCKET_READ));
        saved = wasm.save();
        await Promise.resolve();
      }
    });
    const nodeLanding = await timed(async () => {
      const hash = createHash('sha256');
      for (let offset = 0; offset < SIZE; offset += CHUNK) {
        for (let at = 0; at < CHUNK; at += SOCKET_READ) hash.update(block.subarray(at, at + SOCKET_READ));
        await Promise.resolve();
      }
      hash.digest();
    });

    const perGb = (cpu: number): string => `${(cpu / gb).toFixed(2)} CPU s/GB`;
    console.log(`file: ${SIZE / 1024 / 1024} MiB, in ${CHUNK / 1024 / 1024} MiB PATCHes`);
    console.log(`baseline, reading the file without hashing: ${read.wall.toFixed(2)} s, ${perGb(read.cpu)}`);
    console.log(
      `(a) Node SHA-256 of the file at the end: ${end.wall.toFixed(2)} s added to the last answer, ${perGb(end.cpu)} (${(end.cpu / Math.max(read.cpu, 1e-3)).toFixed(1)}× the plain read)`,
    );
    console.log(
      `(b) hash-wasm as the bytes land, state saved per PATCH (${saved === null ? 0 : (saved as Uint8Array).length} bytes): ${perGb(landing.cpu)}, ${(landing.cpu / end.cpu).toFixed(2)}× (a)`,
    );
    console.log(
      `    for reference, Node SHA-256 as the bytes land (its state cannot be saved): ${perGb(nodeLanding.cpu)}`,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
