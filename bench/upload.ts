/**
 * `npm run bench -- upload` (issue 13): one 512 MB video backed up by the service worker from the
 * queue, through a link (bench/link.ts: phone 20 Mbit/s and 60 ms, home 200 Mbit/s and 20 ms, LAN
 * 1 Gbit/s and 1 ms), against one plain `fetch` PUT of the same stored bytes from the same page
 * through the same link to a minimal sink (a Node server that streams the body to disk while
 * hashing it): what the link allows any upload. The PUT runs before and after the Shoebox upload,
 * and the ratio is taken against their mean, as the machine's load drifts. Prints the ratio
 * (targets: ≥ 0.9 on phone and home, ≥ 0.8 on LAN), the peak JS heap of the page and the worker
 * (target < 64 MB), and the server's CPU seconds per GB. Asserts nothing.
 *
 * SHOEBOX_BENCH_PROFILES=home,LAN runs only those profiles (the phone takes about ten minutes:
 * three times 512 MB at 2.5 MB/s). SHOEBOX_BENCH_UPLOAD_MB sets another size (a quick look; the
 * figures are taken at 512).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession } from 'playwright-core';
import { corpusFile } from '../tests/support/corpus.ts';
import {
  createOwnerThroughApi,
  launchChromium,
  queueRecords,
  removeDir,
  startServer,
  waitForServiceWorker,
  type Browser,
  type Page,
} from '../tests/e2e/harness.ts';
import { LINK_PROFILES, Link, bytesPerSecond, describeProfile, linkProfile, startLinkProxy } from './link.ts';
import type { LinkProfile } from './link.ts';
import { timeDrain } from './queue-timing.ts';

const MB = 1024 * 1024;
const FILE_MB = Number(process.env.SHOEBOX_BENCH_UPLOAD_MB ?? 512);
/** Where the proxy in front of the app passes requests to the sink instead. */
const SINK_PATH = '/bench-sink';
const TARGETS: Record<string, number> = { phone: 0.9, home: 0.9, LAN: 0.8 };

/** A real MP4 head (the server sniffs `ftyp`) padded to FILE_MB, each profile's bytes its own. */
async function makeVideo(dir: string, seed: number): Promise<string> {
  const path = join(dir, `bench-${seed}.mp4`);
  const head = readFileSync(corpusFile('with-gps.mp4').path);
  const handle = await open(path, 'w');
  await handle.write(head);
  const filler = Buffer.alloc(8 * MB);
  for (let offset = head.length; offset < FILE_MB * MB; offset += filler.length) {
    filler.fill((offset + seed) % 251);
    await handle.write(filler, 0, Math.min(filler.length, FILE_MB * MB - offset));
  }
  await handle.close();
  return path;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The minimal sink: a PUT streams to disk while hashing (`?file=` names its file under `dir`) and
 * answers the bytes and their SHA-256. The page reaches it on its own origin, through the proxy.
 */
function startSink(dir: string): Promise<{ server: Server; url: string; fileOf: (name: string) => string }> {
  const fileOf = (name: string): string => {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Not a sink file name: ${name}`);
    return join(dir, `sink-${name}.bin`);
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sink');
    const hash = createHash('sha256');
    const sink = createWriteStream(fileOf(url.searchParams.get('file') ?? ''));
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    request.pipe(sink);
    sink.on('finish', () => {
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}`, fileOf });
    });
  });
}

/** Samples a target's JS heap until stopped; answers the peak in bytes. */
function sampleHeap(read: () => Promise<number>): { stop: () => Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        peak = Math.max(peak, await read());
      } catch {
        // The target may be between restarts; the next sample counts.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return peak;
    },
  };
}

async function pageHeap(cdp: CDPSession): Promise<number> {
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

interface WorkerSession {
  send: (method: string, params?: object) => Promise<Record<string, unknown>>;
  detach: () => Promise<void>;
}

/**
 * A DevTools session with the service worker, through the browser's: attach to its target and
 * relay commands (Target.sendMessageToTarget, as playwright-core exposes no worker CDP session).
 */
async function serviceWorkerSession(browser: Browser): Promise<WorkerSession | null> {
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find((info) => info.type === 'service_worker');
  if (target === undefined) return null;
  const { sessionId } = await cdp.send('Target.attachToTarget', {
    targetId: target.targetId,
    flatten: false,
  });
  let nextId = 1;
  const waiting = new Map<number, (value: Record<string, unknown>) => void>();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as { id?: number; result?: Record<string, unknown> };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? {});
  });
  return {
    send: async (method, params = {}) => {
      const id = nextId++;
      const answer = new Promise<Record<string, unknown>>((resolve) => waiting.set(id, resolve));
      await cdp.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id, method, params }),
      });
      return answer;
    },
    detach: () => cdp.detach(),
  };
}

async function waitForState(page: Page, state: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [item] = await queueRecords(page);
    if (item?.state === state) return;
    if (item?.state === 'skipped' || item?.state === 'failed' || item?.state === 'blocked') {
      throw new Error(`The item ended ${item.state}: ${JSON.stringify(item)}`);
    }
    if (Date.now() > deadline) throw new Error(`No ${state} within ${timeoutMs} ms (${item?.state})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc: on a shared machine the
 * wall-clock rates swing with the load, while the server's CPU per GB does not.
 */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields 14 and 15 (utime, stime) follow the command name, which is in parentheses.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Keeps the queued item's stored Blob in the page, so that the PUT can run again after the
 * Shoebox upload has deleted it from IndexedDB (a Blob keeps its bytes while it is referenced).
 */
async function holdStoredBlob(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('shoebox');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    const blob = await new Promise<Blob>((resolve, reject) => {
      const request = db.transaction('blobs').objectStore('blobs').getAll();
      request.onsuccess = () => resolve((request.result as Blob[])[0] ?? new Blob());
      request.onerror = () => reject(request.error ?? new Error('read failed'));
    });
    db.close();
    (globalThis as unknown as { benchBlob: Blob }).benchBlob = blob;
  });
}

/**
 * The baseline: the stored Blob in one `fetch` PUT from the page through the link to the sink.
 * A small PUT first opens the connection, as the Shoebox upload finds its connection open.
 */
function runPut(
  page: Page,
  url: string,
  file: string,
): Promise<{ ms: number; bytes: number; sha256: string }> {
  return page.evaluate(
    async ({ url, file }) => {
      const blob = (globalThis as unknown as { benchBlob: Blob }).benchBlob;
      await (await fetch(`${url}?file=${file}-warm`, { method: 'PUT', body: blob.slice(0, 65536) })).json();
      const started = performance.now();
      const response = await fetch(`${url}?file=${file}`, { method: 'PUT', body: blob });
      const answer = (await response.json()) as { bytes: number; sha256: string };
      return { ms: performance.now() - started, ...answer };
    },
    { url, file },
  );
}

/** Backup on, written to IndexedDB directly, so that the page does not drain: the worker does. */
async function enableBackupQuietly(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('shoebox');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('settings', 'readwrite');
      tx.objectStore('settings').put(
        { enabled: true, quality: 'original', wifiOnly: false, chargingOnly: false },
        'backup',
      );
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('write failed'));
    });
    db.close();
  });
}

const mbps = (bytes: number, ms: number): number => bytes / MB / (ms / 1000);
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

interface ProfileRun {
  profile: LinkProfile;
  putRate: number;
  shoeboxRate: number;
  cpuPerGb: number | null;
  pagePeak: number;
  swPeak: number | null;
}

async function runProfile(
  browser: Browser,
  profile: LinkProfile,
  dir: string,
  sink: Awaited<ReturnType<typeof startSink>>,
  seed: number,
): Promise<ProfileRun> {
  const path = await makeVideo(dir, seed);
  const expected = await sha256OfFile(path);
  const bytes = FILE_MB * MB;
  const server = await startServer();
  const link = new Link();
  const app = await startLinkProxy(link, server.url, { pathPrefix: SINK_PATH, target: sink.url });
  const context = await browser.newContext();
  try {
    // Set up at loopback speed: the owner, the app and its worker, the video queued (backup off,
    // so nothing is prepared or sent yet).
    await createOwnerThroughApi(context, app.url);
    const page = await context.newPage();
    await page.goto(`${app.url}/backup`);
    await waitForServiceWorker(page);
    await page.goto(`${app.url}/settings`);
    await page.getByLabel('Back up & sync').uncheck();
    await page.goto(`${app.url}/backup`);
    await page.getByTestId('add-photos-input').setInputFiles(path);
    await waitForState(page, 'queued', 120_000);
    await holdStoredBlob(page);
    const cdp = await context.newCDPSession(page);

    link.profile = profile;
    const checkPut = async (put: { bytes: number; sha256: string }, file: string): Promise<void> => {
      if (put.bytes !== bytes || put.sha256 !== expected) {
        throw new Error(`The sink received ${put.bytes} bytes hashing to ${put.sha256}`);
      }
      await rm(sink.fileOf(file), { force: true });
      await rm(sink.fileOf(`${file}-warm`), { force: true });
    };
    const before = await runPut(page, `${app.url}${SINK_PATH}`, `${profile.name.toLowerCase()}-before`);
    await checkPut(before, `${profile.name.toLowerCase()}-before`);

    await enableBackupQuietly(page);
    const worker = await serviceWorkerSession(browser);
    const swHeap =
      worker === null
        ? null
        : sampleHeap(async () => Number((await worker.send('Runtime.getHeapUsage')).usedSize ?? 0));
    const shoeboxPageHeap = sampleHeap(() => pageHeap(cdp));
    const cpuBefore = cpuSeconds(server.process.pid);
    // The worker prepares (hashes) the video first; the time runs from its first upload request.
    const { uploadStarted, uploadDone, confirmedAtStart } = await timeDrain(page, 1_800_000, () =>
      page.evaluate(() => navigator.serviceWorker.controller?.postMessage({ type: 'DRAIN' })),
    );
    const cpuAfter = cpuSeconds(server.process.pid);
    const pagePeak = await shoeboxPageHeap.stop();
    const swPeak = swHeap === null ? null : await swHeap.stop();
    await worker?.detach();
    // The time starts at the first notice of the item uploading: bytes the server confirmed
    // before that notice was read are left out of the rate.
    const timedBytes = bytes - confirmedAtStart;
    const after = await runPut(page, `${app.url}${SINK_PATH}`, `${profile.name.toLowerCase()}-after`);
    await checkPut(after, `${profile.name.toLowerCase()}-after`);

    const putRates = [before, after].map((put) => mbps(bytes, put.ms));
    const putRate = ((putRates[0] ?? 0) + (putRates[1] ?? 0)) / 2;
    const shoeboxRate = mbps(timedBytes, uploadDone - uploadStarted);
    const cpuPerGb = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / (bytes / 1e9);
    const linkRate = bytesPerSecond(profile) / MB;
    console.log(`\n${describeProfile(profile)}: the link carries ${linkRate.toFixed(1)} MB/s`);
    console.log(
      `  fetch PUT → sink: ${putRate.toFixed(1)} MB/s (before ${putRates[0]?.toFixed(1)}, after ${putRates[1]?.toFixed(1)}), ${(putRate / linkRate).toFixed(2)} of the link`,
    );
    console.log(
      `  Shoebox (service worker, tus): ${shoeboxRate.toFixed(1)} MB/s in ${((uploadDone - uploadStarted) / 1000).toFixed(1)} s${confirmedAtStart > 0 ? ` (${mb(confirmedAtStart)} confirmed before the time started, not counted)` : ''}`,
    );
    console.log(
      `  ratio Shoebox / PUT: ${(shoeboxRate / putRate).toFixed(2)} (target ≥ ${TARGETS[profile.name]}; against before ${(shoeboxRate / (putRates[0] ?? 1)).toFixed(2)}, after ${(shoeboxRate / (putRates[1] ?? 1)).toFixed(2)})`,
    );
    console.log(
      `  peak JS heap: page ${mb(pagePeak)}, service worker ${swPeak === null ? 'not measured' : mb(swPeak)} (target < 64 MB); server CPU ${cpuPerGb === null ? 'not measured' : `${cpuPerGb.toFixed(2)} s per GB`}; load ${load()}`,
    );
    return { profile, putRate, shoeboxRate, cpuPerGb, pagePeak, swPeak };
  } finally {
    await context.close();
    await app.close();
    await server.stop();
    removeDir(server.dataDir);
    await rm(path, { force: true });
  }
}

export async function run(): Promise<void> {
  const wanted = process.env.SHOEBOX_BENCH_PROFILES?.split(',').map(linkProfile) ?? LINK_PROFILES;
  console.log(`file: ${FILE_MB} MB; load average at the start: ${load()}`);
  const dir = await mkdtemp(join(tmpdir(), 'shoebox-bench-upload-'));
  const sink = await startSink(dir);
  const browser = await launchChromium();
  const runs: ProfileRun[] = [];
  try {
    for (const [seed, profile] of wanted.entries())
      runs.push(await runProfile(browser, profile, dir, sink, seed));
    console.log('\nprofile  Shoebox / PUT  target');
    for (const { profile, putRate, shoeboxRate } of runs) {
      console.log(
        `${profile.name.padEnd(8)} ${(shoeboxRate / putRate).toFixed(2).padStart(13)}  ≥ ${TARGETS[profile.name]}`,
      );
    }
    console.log(`load average at the end: ${load()}`);
  } finally {
    await browser.close();
    sink.server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
