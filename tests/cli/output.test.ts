/**
 * Issue 20: what a person sees from `shoebox upload`, and what a script reads from its exit code.
 * - On a terminal (a pseudo-terminal from util-linux `script`): a progress bar with files, bytes,
 *   rate and time left while a file is on its way, the skipped files printed above it with their
 *   reasons, and the summary once the bar is gone.
 * - Not on a terminal: one plain line per file, no terminal codes, the same summary; with
 *   `--concurrency 1`, one upload at a time (with the default 4, a small photo goes by while a
 *   big one is held).
 * - A file the server refuses for the account's quota fails with the server's sentence while the
 *   others are backed up, and the exit code (1) says that something failed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_TYPE_REASON, formatBytes } from '../../src/shared/limits';
import {
  corpusFile,
  createApiToken,
  createOwner,
  makeTempDir,
  startServer,
  withServerDatabase,
  type Account,
  type TestServer,
} from '../server/helpers';
import { CLI, makeHome, mostAtOnce, recordingProxy, runCli, type RecordingProxy } from './helpers';

const CHUNK = 1024 * 1024;
const ESCAPE = '\u001b';

/** A folder of a 6 MB photo, a small one and a text file. */
async function folder(): Promise<{ dir: string; big: Buffer; small: Buffer }> {
  const dir = await makeTempDir('shoebox-cli-output-');
  const big = Buffer.concat([
    await readFile(corpusFile('IMG_20180725_163423.jpg').path),
    randomBytes(2 * CHUNK),
  ]);
  const small = Buffer.concat([await readFile(corpusFile('Canon_40D.jpg').path), randomBytes(16)]);
  await writeFile(path.join(dir, 'big.jpg'), big);
  await writeFile(path.join(dir, 'small.jpg'), small);
  await writeFile(path.join(dir, 'notes.txt'), 'not a photo\n');
  return { dir, big, small };
}

/** Resolves once `read()` matches `pattern`; fails the test with what was seen after 20 s. */
async function seen(read: () => string, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`Never saw ${String(pattern)} in:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('shoebox upload output and exit codes', () => {
  let server: TestServer;
  let owner: Account;
  let proxy: RecordingProxy;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startServer({
      app: { startJobs: false },
      env: { SHOEBOX_TUS_MAX_CHUNK_BYTES: String(CHUNK) },
    });
    owner = await createOwner(server.baseUrl);
    proxy = await recordingProxy(server.baseUrl);
    const { token } = await createApiToken(server.baseUrl, owner.auth, 'cli');
    env = { ...(await makeHome()), SHOEBOX_URL: proxy.url, SHOEBOX_TOKEN: token };
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('shows a progress bar with files, bytes, rate and time left on a terminal, then the summary', async () => {
    const { dir, big, small } = await folder();
    // The big photo is held twice on its way, so the bar is seen mid-file and again once the
    // rate has samples more than a second apart.
    let held = proxy.holdPatchesAfter(Math.floor(2.5 * CHUNK));
    const child = spawn('script', ['-qfec', `'${process.execPath}' '${CLI}' upload '${dir}'`, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, ...env },
      // No input: `script` ends with the CLI.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const screen = (): string => output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n?/g, '\n');

    await held;
    // While the big photo is held, the small one goes by (the default --concurrency is 4).
    await seen(screen, /\d+% {2}2\/3 files {2}[\d.]+ MB of [\d.]+ MB {2}/);
    proxy.cutHeld();
    held = proxy.holdPatchesAfter(CHUNK);
    await held;
    await seen(screen, / {2}[\d.]+ [KMG]?B\/s {2}[\d min]+s left/);
    proxy.cutHeld();
    expect(await exited).toBe(0);

    const text = screen();
    expect(output).toContain(ESCAPE); // drawn as a bar, in place
    expect(text).toContain(`skipped        notes.txt: ${UNKNOWN_TYPE_REASON}`);
    expect(text).toMatch(
      new RegExp(
        `Backed up 3 files to ${proxy.url} in \\d+ s: 2 uploaded \\(${formatBytes(big.length + small.length)}\\), 0 already backed up, 1 skipped, 0 failed\\.`,
      ),
    );
    expect(text).toContain(`Skipped:\n  1 × ${UNKNOWN_TYPE_REASON} (notes.txt)`);
  });

  it('prints plain lines when not on a terminal, uploading --concurrency files at once', async () => {
    const { dir, big, small } = await folder();
    proxy.requests.length = 0;
    const run = await runCli(['upload', dir, '--concurrency', '1'], { env, cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    // One file at a time, as asked: the small photo's upload never overlaps the big one's.
    expect(proxy.tus().length).toBeGreaterThan(2);
    expect(mostAtOnce(proxy.tus())).toBe(1);
    expect(run.stdout).not.toContain(ESCAPE);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Backing up 3 files (${formatBytes(big.length + small.length + 12)}).`);
    expect(lines.slice(1, 4).sort()).toEqual([
      `skipped        notes.txt: ${UNKNOWN_TYPE_REASON}`,
      `uploaded       big.jpg (${formatBytes(big.length)})`,
      `uploaded       small.jpg (${formatBytes(small.length)})`,
    ]);
    expect(lines[4]).toMatch(
      /^Backed up 3 files to .* 2 uploaded .*, 0 already backed up, 1 skipped, 0 failed\.$/,
    );
  });

  it('fails a file over the quota with the server’s sentence, backs up the rest, and exits 1', async () => {
    const { dir, big, small } = await folder();
    // Room for the small photo, not for the big one.
    await withServerDatabase(server.dataDir, async (db) => {
      const { bytes } = await db
        .selectFrom('assets')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('bytes'), eb.val(0)).as('bytes'))
        .where('owner_id', '=', owner.user.id)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('users')
        .set({ quota_bytes: Number(bytes) + small.length + 1000 })
        .where('id', '=', owner.user.id)
        .execute();
    });
    const run = await runCli(['upload', dir], { env, cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`uploaded       small.jpg (${formatBytes(small.length)})`);
    expect(run.stdout).toMatch(
      new RegExp(
        `failed {9}big\\.jpg: This file \\(${formatBytes(big.length)}\\) would go over your storage quota: .* used\\.`,
      ),
    );
    expect(run.stdout).toContain('1 uploaded');
    expect(run.stdout).toContain('1 failed');
    expect(run.stdout).toContain('Run the same command again to retry the failed files.');
  });
});
