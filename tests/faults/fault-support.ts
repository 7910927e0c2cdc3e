/** What the network fault runs (network.test.ts, processes.test.ts) share: files, tabs and counts. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  libraryAssets,
  queueRecords,
  removeDir,
  waitForServiceWorker,
  type BrowserContext,
  type Page,
  type PerTestScope,
} from '../e2e/harness';
import { corpusFile, manifest } from '../support/corpus';
import { record, tally } from '../support/probe-table';
import type { ProxyStats } from './fault-proxy';

const MiB = 1024 * 1024;

/** mulberry32: the run's faults follow from the seed it prints, so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface PickedFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** A real JPEG padded (decoders stop at EOI) to `mb` MiB: several 8 MiB chunks. */
export function largeJpeg(dir: string, mb: number): PickedFile {
  const base = readFileSync(corpusFile('IMG_20180725_163423.jpg').path);
  const bytes = Buffer.concat([base, Buffer.alloc(mb * MiB - base.length, mb % 251)]);
  const path = join(dir, `large-${mb}.jpg`);
  writeFileSync(path, bytes);
  return { path, sha256: sha256(bytes), bytes: bytes.length };
}

/** The corpus and `extra` files, and the hashes that must end up stored (the empty file cannot). */
export function pickedFiles(extra: PickedFile[]): { files: PickedFile[]; expected: Set<string> } {
  const files = [
    ...manifest().map((row) => ({ path: row.path, sha256: row.sha256, bytes: row.bytes })),
    ...extra,
  ];
  return { files, expected: new Set(files.filter((file) => file.bytes !== 0).map((file) => file.sha256)) };
}

/**
 * A run's random source (from a seed it prints, so that a failing run can be replayed), and the
 * files it picks: the corpus and large JPEGs of `largeMiB` MiB each, made for the test.
 */
export function faultRun(
  scope: PerTestScope,
  largeMiB: number[],
): { seed: number; random: () => number; large: PickedFile[]; files: PickedFile[]; expected: Set<string> } {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-faults-'));
  scope.defer(() => removeDir(dir));
  const large = largeMiB.map((mb) => largeJpeg(dir, mb));
  return { seed, random: seeded(seed), large, ...pickedFiles(large) };
}

export async function openBackup(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/backup`);
  await waitForServiceWorker(page);
  return page;
}

/** Whether every expected hash is in the library. */
export async function allStored(
  context: BrowserContext,
  baseUrl: string,
  expected: Set<string>,
): Promise<boolean> {
  const stored = new Set((await libraryAssets(context, baseUrl)).map((asset) => asset.sha256));
  return [...expected].every((hash) => stored.has(hash));
}

/** The queue items not done nor skipped, as `page` (on the app's origin) reads them. */
export async function unfinishedItems(page: Page): Promise<number> {
  return (await queueRecords(page)).filter((item) => item.state !== 'done' && item.state !== 'skipped')
    .length;
}

export interface LibraryCount {
  lost: number;
  duplicated: number;
  /** Originals whose downloaded bytes do not hash to their asset's hash, or to a picked file's. */
  wrongHash: number;
}

/** Counts what the library lost, holds twice, or serves with other bytes than were picked. */
export async function countLibrary(
  context: BrowserContext,
  baseUrl: string,
  expected: Set<string>,
): Promise<LibraryCount> {
  const assets = await libraryAssets(context, baseUrl);
  const perHash = new Map<string, number>();
  for (const asset of assets) perHash.set(asset.sha256, (perHash.get(asset.sha256) ?? 0) + 1);
  const duplicated = [...perHash.values()].reduce((sum, count) => sum + count - 1, 0);
  const lost = [...expected].filter((hash) => !perHash.has(hash)).length;
  let wrongHash = 0;
  for (const asset of assets) {
    const response = await context.request.get(`${baseUrl}/api/assets/${asset.id}/original`);
    const stored = sha256(await response.body());
    if (stored !== asset.sha256 || !expected.has(stored)) wrongHash += 1;
  }
  return { lost, duplicated, wrongHash };
}

/** What a run of network faults ended with. */
export interface FaultOutcome extends LibraryCount {
  /** Names of the queue items skipped. */
  skipped: string[];
  stats: ProxyStats;
  /** Partial uploads the faults left, and what of them the expiry left. */
  leftBefore: number;
  leftAfter: string[];
}

/**
 * Records the run's row of the table, then fails on anything lost, duplicated, corrupted, a 5xx, a
 * partial upload left after expiry, or an item skipped for anything but what it is (the empty file).
 */
export function expectNothingLost(area: string, did: string, outcome: FaultOutcome): void {
  const { lost, duplicated, wrongHash, skipped, stats, leftBefore, leftAfter } = outcome;
  const { serverErrors } = stats;
  record({
    area,
    did: `${did}; ${stats.requests} requests, ${stats.cutRequests} cut mid-request, ${stats.cutAnswers} answers dropped, ${stats.flipped} bodies with a flipped bit`,
    saw: `lost ${lost}, duplicated ${duplicated}, wrong hash ${wrongHash}, 5xx ${serverErrors.length}, skipped ${skipped.join(', ') || 'none'}; partial uploads left ${leftBefore}, after expiry ${leftAfter.length}; server answers ${tally(stats.serverStatuses)}`,
    ok: lost + duplicated + wrongHash + serverErrors.length + leftAfter.length === 0,
  });
  expect({ lost, duplicated, wrongHash, serverErrors, leftAfter }).toEqual({
    lost: 0,
    duplicated: 0,
    wrongHash: 0,
    serverErrors: [],
    leftAfter: [],
  });
  expect(skipped).toEqual(['zero-byte.jpg']);
}
