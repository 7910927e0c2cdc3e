/**
 * Issue 3 benchmark (c), in Chromium on this machine: one 512 MB video uploaded from the queue by
 * the service worker to Shoebox (tus, chunks of 8 MiB, verified by SHA-256 on the server, fsynced
 * before the answer) vs one plain `fetch` PUT of the same stored bytes from the same page to a
 * minimal Node sink that streams them to disk and hashes them: the floor of any upload path,
 * measured before and after the Shoebox upload. Prints the ratio of throughputs and the peak JS
 * heap of the page and of the service worker during each.
 *
 * It also prints what chunking alone allows: the same bytes PUT to the same sink in 8 MiB
 * requests, from the page and from a bare service worker (the ceiling of any upload sent in 8 MiB
 * chunks from a service worker), and from that worker with each request sent before the answer to
 * the last, the sink taking them in turn (the ceiling of Shoebox's pipelined chunks).
 *
 * SHOEBOX_BENCH_LATENCY_MS adds that much latency to the service worker's requests (CDP network
 * emulation) during the Shoebox upload, as on a real network; the floor and ceilings are local.
 * Asserts nothing.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, openSync, readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession } from 'playwright-core';
import { TUS_CHUNK_SIZE } from '../src/shared/tus.ts';
import { corpusFile } from '../tests/support/corpus.ts';
import { timeDrain } from './queue-timing.ts';
import {
  createOwnerThroughApi,
  launchChromium,
  queueRecords,
  removeDir,
  startServer,
  waitForServiceWorker,
  type Browser,
  type BrowserContext,
  type Page,
} from '../tests/e2e/harness.ts';

const MB = 1024 * 1024;
const FILE_MB = 512;
const LATENCY_MS = Number(process.env.SHOEBOX_BENCH_LATENCY_MS ?? 0);

/** A real MP4 head (the server sniffs `ftyp`) padded to 512 MB, written in 8 MB steps. */
async function makeVideo(dir: string): Promise<string> {
  const path = join(dir, 'bench.mp4');
  const head = readFileSync(corpusFile('with-gps.mp4').path);
  const handle = await open(path, 'w');
  await handle.write(head);
  const filler = Buffer.alloc(8 * MB);
  for (let offset = head.length; offset < FILE_MB * MB; offset += filler.length) {
    filler.fill(offset % 251);
    await handle.write(filler, 0, Math.min(filler.length, FILE_MB * MB - offset));
  }
  await handle.close();
  return path;
}

/**
 * The ceiling's page and service worker, served by the sink on its own origin. The page keeps the
 * picked file in IndexedDB, as the queue keeps its items; on a message the worker PUTs the stored
 * Blob to the sink in 8 MiB slices, one after another or each sent before the answer to the last
 * (`ahead`, which the sink takes in turn, as Shoebox's server does), with none of Shoebox's work
 * around them (no tus, no bookkeeping, a server that only writes and hashes).
 */
const CEILING_PAGE = `<!doctype html><title>ceiling</title><input type="file" id="file">
<script>
function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('ceiling', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('blobs');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
</script>`;

const CEILING_WORKER = `
self.addEventListener('install', () => self.skipWaiting());
function readBlob() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('ceiling', 1);
    open.onsuccess = () => {
      const get = open.result.transaction('blobs').objectStore('blobs').get('file');
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error);
    };
    open.onerror = () => reject(open.error);
  });
}
self.addEventListener('message', (event) => {
  const { ahead, chunk, file } = event.data;
  event.waitUntil((async () => {
    const blob = await readBlob();
    let bytes = 0;
    const started = performance.now();
    const inFlight = [];
    for (let offset = 0; offset < blob.size; offset += chunk) {
      // One request at a time, or one more on its way while the last is answered.
      if (inFlight.length > (ahead ? 1 : 0)) bytes += await inFlight.shift();
      const url = '/?file=' + file + '&offset=' + offset + (ahead ? '&inTurn=1' : '');
      inFlight.push(fetch(url, { method: 'PUT', body: blob.slice(offset, offset + chunk) })
        .then((response) => response.json())
        .then((answer) => answer.bytes));
    }
    for (const landed of inFlight) bytes += await landed;
    event.ports[0].postMessage({ ms: performance.now() - started, bytes });
  })());
});
`;

/**
 * The floor: a PUT that streams to disk while hashing, with CORS for the app's origin. Every PUT
 * names its file (`?file=`, under `dir`): a whole PUT writes it from the start, and a PUT to
 * `?offset=N` writes its body at N into it, hashing it on its way, for the chunked floor and the
 * ceiling (the same bytes in 8 MiB requests, tus's chunk size). Each measured upload gets a file
 * of its own, kept until the end, as each Shoebox upload does: on this virtual machine memory the
 * kernel has just freed is fast to use again while memory freed seconds ago has been handed back
 * to the host and is slow to touch (a 512 MB file rewritten in place: 0.12 s of system time; a
 * new one: 0.7–1.9 s), so a sink that kept rewriting one file would write into pages Shoebox's
 * server never gets. PUTs marked `inTurn` are taken one at a time, in their order of arrival,
 * the next one's body left unread until the last is answered.
 */
function startSink(dir: string): Promise<{ server: Server; url: string; fileOf: (name: string) => string }> {
  const fileOf = (name: string): string => {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Not a sink file name: ${name}`);
    return join(dir, `${name}.bin`);
  };
  let turns = Promise.resolve();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sink');
    if (request.method === 'GET') {
      const worker = url.pathname === '/ceiling-sw.js';
      response.setHeader('Content-Type', worker ? 'text/javascript' : 'text/html');
      response.end(worker ? CEILING_WORKER : CEILING_PAGE);
      return;
    }
    response.setHeader('Access-Control-Allow-Origin', request.headers.origin ?? '*');
    response.setHeader('Access-Control-Allow-Methods', 'PUT');
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    if (request.method === 'OPTIONS') {
      response.end();
      return;
    }
    const offsetParam = url.searchParams.get('offset');
    const offset = offsetParam === null ? null : Number(offsetParam);
    const file = fileOf(url.searchParams.get('file') ?? '');
    const take = (): void => {
      const hash = createHash('sha256');
      // A slice may arrive before the one at offset 0: the file is made by whichever comes first.
      if (offset !== null) closeSync(openSync(file, 'a'));
      const sink = createWriteStream(file, { flags: offset === null ? 'w' : 'r+', start: offset ?? 0 });
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
    };
    if (url.searchParams.get('inTurn') === null) {
      take();
      return;
    }
    request.pause();
    const previous = turns;
    turns = new Promise<void>((resolve) => {
      response.on('finish', resolve);
      void previous.then(take);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/`, fileOf });
    });
  });
}

/** Samples a target's JS heap (Runtime.getHeapUsage) until stopped; returns the peak in bytes. */
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
  };
}

async function waitForState(page: Page, state: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [item] = await queueRecords(page);
    if (item?.state === state) return performance.now();
    if (item?.state === 'skipped' || item?.state === 'failed' || item?.state === 'blocked') {
      throw new Error(`The item ended ${item.state}: ${JSON.stringify(item)}`);
    }
    if (Date.now() > deadline) throw new Error(`No ${state} within ${timeoutMs} ms (${item?.state})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc: on a machine shared with
 * other work the wall-clock rates swing with the load, while the server's CPU per upload does not.
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

/** A process's peak resident memory so far (VmHWM), in bytes, from /proc. */
function peakRss(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

interface FloorRun {
  ms: number;
  bytes: number;
  sha256: string;
  /** The same whole PUT again into the same file, which the sink truncates first. */
  rewriteMs: number;
  rewriteBytes: number;
  chunkedMs: number;
  chunkedBytes: number;
}

/**
 * Keeps the queued item's stored Blob in the page, so that the floor can be run again after the
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
 * The floor: the stored Blob PUT from the page, once whole into a new file and once in sequential
 * 8 MiB slices into another (what chunking alone costs, whoever the server). The whole PUT is then
 * repeated into its own file, which the sink truncates first and so writes into the pages it has
 * just freed: printed to show what the sink's files change (see startSink), not the floor. A first
 * small PUT opens the connection and warms the sink, as the Shoebox run finds its server warm
 * after adding. Files are named `<label>-whole` and `<label>-chunked`.
 */
function runFloor(page: Page, url: string, label: string): Promise<FloorRun> {
  return page.evaluate(
    async ({ url, chunk, label }) => {
      const blob = (globalThis as unknown as { benchBlob: Blob }).benchBlob;
      await (await fetch(`${url}?file=${label}-warm`, { method: 'PUT', body: blob.slice(0, chunk) })).json();
      // In an array, the arrow is not given a name through tsx's helper, which the page lacks.
      const [whole] = [
        async (): Promise<{ ms: number; bytes: number; sha256: string }> => {
          const started = performance.now();
          const response = await fetch(`${url}?file=${label}-whole`, { method: 'PUT', body: blob });
          const answer = (await response.json()) as { bytes: number; sha256: string };
          return { ms: performance.now() - started, ...answer };
        },
      ];
      const first = await whole();
      const rewrite = await whole();
      const chunkedStarted = performance.now();
      let chunkedBytes = 0;
      for (let offset = 0; offset < blob.size; offset += chunk) {
        const part = await fetch(`${url}?file=${label}-chunked&offset=${offset}`, {
          method: 'PUT',
          body: blob.slice(offset, offset + chunk),
        });
        chunkedBytes += ((await part.json()) as { bytes: number }).bytes;
      }
      return {
        ...first,
        rewriteMs: rewrite.ms,
        rewriteBytes: rewrite.bytes,
        chunkedMs: performance.now() - chunkedStarted,
        chunkedBytes,
      };
    },
    { url, chunk: TUS_CHUNK_SIZE, label },
  );
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface CeilingRun {
  ahead: boolean;
  ms: number;
}

/**
 * The ceiling of any upload in 8 MiB requests from a service worker: a page on the sink's origin
 * keeps the file in IndexedDB and registers the ceiling's worker, which PUTs it to the sink in
 * 8 MiB slices, first one request after another (as tus-js-client sends an upload's chunks, with
 * nothing else to do between them), then each sent before the answer to the last and taken in
 * turn (as Shoebox sends them). The sink's file is checked after each.
 */
async function runCeiling(
  context: BrowserContext,
  sinkUrl: string,
  path: string,
  check: (name: string) => Promise<void>,
): Promise<CeilingRun[]> {
  const page = await context.newPage();
  try {
    await page.goto(`${sinkUrl}ceiling`);
    await page.locator('#file').setInputFiles(path);
    await page.evaluate(async () => {
      const input = document.getElementById('file') as HTMLInputElement;
      const file = input.files?.[0];
      if (file === undefined) throw new Error('no file picked');
      const db = await (globalThis as unknown as { openDb: () => Promise<IDBDatabase> }).openDb();
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('blobs', 'readwrite');
        tx.objectStore('blobs').put(file, 'file');
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('write failed'));
      });
      db.close();
      await navigator.serviceWorker.register('/ceiling-sw.js');
      await navigator.serviceWorker.ready;
    });
    const runs: CeilingRun[] = [];
    for (const ahead of [false, true]) {
      const file = ahead ? 'ceiling-ahead' : 'ceiling-sequential';
      const answer = await page.evaluate(
        async ({ ahead, chunk, file }) => {
          const registration = await navigator.serviceWorker.ready;
          const channel = new MessageChannel();
          const result = new Promise<{ ms: number; bytes: number }>((resolve) => {
            channel.port1.onmessage = (event) => resolve(event.data as { ms: number; bytes: number });
          });
          registration.active?.postMessage({ ahead, chunk, file }, [channel.port2]);
          return result;
        },
        { ahead, chunk: TUS_CHUNK_SIZE, file },
      );
      if (answer.bytes !== FILE_MB * MB) throw new Error(`The ceiling sent ${answer.bytes} bytes`);
      await check(file);
      runs.push({ ahead, ms: answer.ms });
    }
    return runs;
  } finally {
    await page.close();
  }
}

const mbps = (bytes: number, ms: number): number => bytes / MB / (ms / 1000);
/** The chunks' size and count as printed, e.g. "64 sequential 8 MiB". */
const CHUNKS = `${Math.ceil((FILE_MB * MB) / TUS_CHUNK_SIZE)} sequential ${TUS_CHUNK_SIZE / MB} MiB`;
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shoebox-bench-upload-'));
  const server = await startServer();
  const sink = await startSink(dir);
  const browser = await launchChromium();
  try {
    const path = await makeVideo(dir);
    const bytes = FILE_MB * MB;
    const expected = await sha256OfFile(path);
    /** A sink file after chunked PUTs: every slice landed where it belongs. */
    const checkSink = async (name: string): Promise<void> => {
      const landed = await sha256OfFile(sink.fileOf(name));
      if (landed !== expected) throw new Error(`The sink's ${name} hashes to ${landed}, not ${expected}`);
    };
    const context = await browser.newContext();
    await createOwnerThroughApi(context, server.url);
    const page = await context.newPage();
    await page.goto(`${server.url}/backup`);
    await waitForServiceWorker(page);
    // Backup off while adding, so the page's own drain leaves the item to the service worker.
    await page.goto(`${server.url}/settings`);
    await page.getByLabel('Back up & sync').uncheck();
    await page.goto(`${server.url}/backup`);
    await page.getByTestId('add-photos-input').setInputFiles(path);
    await waitForState(page, 'queued', 120_000);

    const cdp = await context.newCDPSession(page);
    await holdStoredBlob(page);
    // The floor before and after the Shoebox upload: on a shared machine the load drifts, and the
    // ratio is taken against their mean.
    const floorHeap = sampleHeap(() => pageHeap(cdp));
    const floorBefore = await runFloor(page, sink.url, 'before');
    const floorPeak = await floorHeap.stop();
    await checkSink('before-chunked');

    // Shoebox: backup back on (written to IndexedDB directly, so the page does not drain), then
    // the page asks the service worker to drain, as it does when it is closed.
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
    const swCdp = await serviceWorkerSession(browser);
    if (LATENCY_MS > 0) {
      await swCdp?.send('Network.enable');
      await swCdp?.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: LATENCY_MS,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    }
    const swHeap =
      swCdp === null
        ? null
        : sampleHeap(async () => Number((await swCdp.send('Runtime.getHeapUsage')).usedSize ?? 0));
    const shoeboxPageHeap = sampleHeap(() => pageHeap(cdp));
    const cpuBefore = cpuSeconds(server.process.pid);
    const { uploadStarted, uploadDone, confirmedAtStart } = await timeDrain(page, 300_000, () =>
      page.evaluate(() => navigator.serviceWorker.controller?.postMessage({ type: 'DRAIN' })),
    );
    const cpuAfter = cpuSeconds(server.process.pid);
    const serverPeakRss = peakRss(server.process.pid);
    const pagePeak = await shoeboxPageHeap.stop();
    const swPeak = swHeap === null ? null : await swHeap.stop();
    // Two runs once printed impossible rates: the upload was under way before the time started.
    if (confirmedAtStart > 2 * TUS_CHUNK_SIZE) {
      throw new Error(`The upload had ${confirmedAtStart} bytes confirmed when its time started`);
    }
    const shoeboxMs = uploadDone - uploadStarted;
    const floorAfter = await runFloor(page, sink.url, 'after');
    await checkSink('after-chunked');
    const ceiling = await runCeiling(context, sink.url, path, checkSink);
    for (const floor of [floorBefore, floorAfter]) {
      if (
        floor.bytes !== bytes ||
        floor.rewriteBytes !== bytes ||
        floor.chunkedBytes !== bytes ||
        floor.sha256 !== expected
      ) {
        throw new Error(
          `The sink received ${floor.bytes}, ${floor.rewriteBytes} and ${floor.chunkedBytes} bytes (${floor.sha256})`,
        );
      }
    }

    const floorRates = [floorBefore, floorAfter].map((floor) => mbps(bytes, floor.ms));
    const floorRate = (floorRates[0]! + floorRates[1]!) / 2;
    const rewriteRate =
      [floorBefore, floorAfter].reduce((sum, floor) => sum + mbps(bytes, floor.rewriteMs), 0) / 2;
    const chunkedRate =
      [floorBefore, floorAfter].reduce((sum, floor) => sum + mbps(bytes, floor.chunkedMs), 0) / 2;
    const shoeboxRate = mbps(bytes, shoeboxMs);
    console.log(`file: ${FILE_MB} MB`);
    console.log(
      `floor (page fetch PUT → Node sink): ${floorRate.toFixed(0)} MB/s (before ${floorRates[0]!.toFixed(0)}, after ${floorRates[1]!.toFixed(0)}), page heap peak ${mb(floorPeak)}`,
    );
    console.log(
      `the same PUT into a file the sink rewrites in place (pages it has just freed; not the floor): ${rewriteRate.toFixed(0)} MB/s (mean of before and after)`,
    );
    console.log(
      `chunked floor (page, ${CHUNKS} PUTs → Node sink): ${chunkedRate.toFixed(0)} MB/s (mean of before and after)`,
    );
    console.log(
      `Shoebox (service worker, tus chunks of ${TUS_CHUNK_SIZE / MB} MiB, server-verified${LATENCY_MS > 0 ? `, ${LATENCY_MS} ms of added latency` : ''}): ${shoeboxRate.toFixed(0)} MB/s (${(shoeboxMs / 1000).toFixed(2)} s)`,
    );
    console.log(
      `ratio Shoebox / floor: ${(shoeboxRate / floorRate).toFixed(2)} (target ≥ 0.8; against the floor before ${(shoeboxRate / floorRates[0]!).toFixed(2)}, after ${(shoeboxRate / floorRates[1]!).toFixed(2)})`,
    );
    if (cpuBefore !== null && cpuAfter !== null) {
      console.log(`Shoebox server CPU during the upload: ${(cpuAfter - cpuBefore).toFixed(2)} s`);
    }
    if (serverPeakRss !== null) {
      console.log(`Shoebox server peak resident memory (since it started): ${mb(serverPeakRss)}`);
    }
    console.log(`ratio Shoebox / chunked floor: ${(shoeboxRate / chunkedRate).toFixed(2)}`);
    for (const { ahead, ms } of ceiling) {
      const rate = mbps(bytes, ms);
      console.log(
        ahead
          ? `ceiling, each PUT sent before the last one's answer and taken in turn (as Shoebox sends its chunks): ${rate.toFixed(0)} MB/s, ${(rate / floorRate).toFixed(2)} of the floor; Shoebox reaches ${(shoeboxRate / rate).toFixed(2)} of it`
          : `ceiling (a service worker's ${CHUNKS} PUTs → Node sink): ${rate.toFixed(0)} MB/s, ${(rate / floorRate).toFixed(2)} of the floor`,
      );
    }
    console.log(
      `load average at the end: ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `peak JS heap during the Shoebox upload: page ${mb(pagePeak)}, service worker ${swPeak === null ? 'not measured' : mb(swPeak)} (target < 64 MB)`,
    );
  } finally {
    await browser.close();
    sink.server.close();
    await server.stop();
    removeDir(server.dataDir);
    await rm(dir, { recursive: true, force: true });
  }
}
