/**
 * Issue 18, the abuse suite against the built server in its own process: the sign-in throttle
 * under concurrent bursts, a sign-in flood from many addresses while a download's latency is
 * measured, and the modes of everything the server wrote to its data folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, type RunningServer } from '../e2e/harness';
import { createOwner, uploadCorpusFile, type Account } from '../support/client';
import { record, tally } from '../support/probe-table';
import { probeThrottleBursts, signInFrom } from './throttle-bursts';

let server: RunningServer;
let owner: Account;
let assetId: string;

beforeAll(async () => {
  // One trusted proxy in front: the tests play it, and so can speak for many client addresses.
  server = await startServer({ env: { TRUST_PROXY: '1' } });
  owner = await createOwner(server.url, { password: 'a strong owner password' });
  const uploaded = await uploadCorpusFile(server.url, owner.auth, 'IMG_20180725_163423.jpg');
  if (!uploaded.ok) throw new Error('The seed upload failed.');
  assetId = uploaded.assetId;
});
afterAll(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

function p90(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.9) - 1)] ?? 0;
}

/** Downloads the original `count` times, one after another, and answers each one's milliseconds. */
async function downloads(count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const response = await fetch(`${server.url}/api/assets/${assetId}/original`, {
      headers: { cookie: owner.auth.cookie },
    });
    const body = await response.arrayBuffer();
    if (response.status !== 200 || body.byteLength < 1_000_000)
      throw new Error(`download: ${response.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

describe('the sign-in throttle under concurrent bursts', () => {
  it('lets five guesses through a burst of 400 at one account from one address', async () => {
    await probeThrottleBursts(server.url, owner.email, '');
  });
});

describe('a sign-in flood', () => {
  it('keeps a download’s p90 under three times its quiet value', async () => {
    await downloads(5);
    const quiet: number[] = [];
    const flooded: number[] = [];
    const statuses: number[] = [];
    let sent = 0;
    /**
     * 32 attackers, each request from a new address (a botnet), so that the throttle lets every
     * one through to the password hashing: the worst case for the thread pool. Runs `during`
     * meanwhile, then stops them and waits for their last requests.
     */
    async function flood<T>(during: () => Promise<T>): Promise<T> {
      let stop = false;
      const attackers = Array.from({ length: 32 }, async (_, attacker) => {
        while (!stop && sent < 20_000) {
          sent += 1;
          const address = `10.${attacker}.${Math.floor(sent / 250) % 250}.${sent % 250}`;
          const response = await signInFrom(
            server.url,
            `nobody${sent}@example.com`,
            'a guess at a password',
            address,
          ).catch(() => null);
          statuses.push(response?.status ?? 0);
        }
      });
      try {
        // Until the hashing queue is full and the attack at its worst.
        await new Promise((resolve) => setTimeout(resolve, 300));
        return await during();
      } finally {
        stop = true;
        await Promise.all(attackers);
      }
    }
    // Quiet and flooded rounds taken in turn within one window, so that whatever else loads the
    // machine meanwhile weighs on both measures alike.
    for (let round = 0; round < 8; round += 1) {
      quiet.push(...(await downloads(5)));
      flooded.push(...(await flood(() => downloads(5))));
    }
    const ratio = p90(flooded) / p90(quiet);
    record({
      area: 'sign-in flood',
      did: `32 attackers, ${sent} sign-ins from new addresses, in 8 rounds of 5 downloads of a 4 MB original (quiet and flooded rounds in turn)`,
      saw: `p90 ${p90(quiet).toFixed(0)} ms quiet, ${p90(flooded).toFixed(0)} ms flooded (${ratio.toFixed(2)}×); ${tally(statuses)}`,
      ok: ratio < 3,
    });
    expect(ratio).toBeLessThan(3);
    // 0: no answer at all (a connection reset).
    expect(statuses.filter((status) => status >= 500 || status === 0)).toEqual([]);
  });
});

describe('the data folder', () => {
  it('is readable by the server’s user alone: folders 0700, files 0600', async () => {
    // Thumbnails and the database's journal exist by now.
    const entries = await fs.readdir(server.dataDir, { recursive: true, withFileTypes: true });
    const open: string[] = [];
    let files = 0;
    let folders = 0;
    for (const entry of [{ name: '', parentPath: server.dataDir, isDirectory: () => true }, ...entries]) {
      const full = path.join(entry.parentPath, entry.name);
      const { mode } = await fs.stat(full);
      if (entry.isDirectory()) folders += 1;
      else files += 1;
      if ((mode & 0o077) !== 0)
        open.push(`${path.relative(server.dataDir, full) || '.'} ${(mode & 0o777).toString(8)}`);
    }
    record({
      area: 'file modes',
      did: `${folders} folders and ${files} files under the data folder after uploads and thumbnails`,
      saw: open.length === 0 ? 'none open to group or others' : open.slice(0, 5).join(', '),
      ok: open.length === 0 && files > 3,
    });
    expect(open).toEqual([]);
    expect(files).toBeGreaterThan(3);
  });
});
