/**
 * HEVC-coded HEIF decoding with libheif compiled to WebAssembly (libheif-js), because sharp's
 * prebuilt libvips carries libheif without an HEVC decoder ("Support for this compression format
 * has not been built in: HEVC").
 *
 * The decoder runs in a worker thread: a 12 MP iPhone photo takes about half a second of CPU that
 * would otherwise stall every request on the server, a hostile file that makes the decoder spin
 * can be stopped by terminating the worker, and the WebAssembly heap (which only ever grows) is
 * given back when an idle worker is ended.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type HeifDecodeResult =
  | {
      ok: true;
      /** Upright per the container: libheif has applied clap, irot and imir. */
      width: number;
      height: number;
      channels: 3 | 4;
      /** Tightly packed rows, 8 bits per sample, RGB or RGBA. */
      pixels: Buffer;
    }
  | { ok: false; code: 'undecodable' | 'too-large' | 'timeout'; detail: string };

export interface HeifDecodeOptions {
  /** Refuse before decoding when the primary image has more pixels than this. */
  maxPixels: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

type WorkerRequest = { id: number; bytes: Uint8Array; maxPixels: number };
type WorkerReply =
  | { id: number; ok: true; width: number; height: number; channels: 3 | 4; pixels: Uint8Array }
  | { id: number; ok: false; code: 'undecodable' | 'too-large'; detail: string; fatal: boolean };

/**
 * The worker's source. It is evaluated from a string, not loaded from a file, so that it survives
 * the esbuild bundle of the server (which copies no side files); it stays deliberately small, and
 * everything that can be pure TypeScript (container parsing, orientation) happens in the caller.
 * It uses libheif-js's embind functions rather than its HeifDecoder class, which logs to the
 * console and decodes every top-level image instead of the primary one.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const libheif = require(workerData.libheifPath);

function decode(bytes, maxPixels) {
  const context = libheif.heif_context_alloc();
  if (!context) return { ok: false, code: 'undecodable', detail: 'could not allocate a HEIF context', fatal: true };
  try {
    const error = libheif.heif_context_read_from_memory(context, bytes);
    if (error.code !== libheif.heif_error_code.heif_error_Ok) {
      return { ok: false, code: 'undecodable', detail: String(error.message), fatal: false };
    }
    const handle = libheif.heif_js_context_get_primary_image_handle(context);
    if (!handle || handle.code) {
      return { ok: false, code: 'undecodable', detail: 'no primary image: ' + String(handle && handle.message), fatal: false };
    }
    try {
      const width = libheif.heif_image_handle_get_width(handle);
      const height = libheif.heif_image_handle_get_height(handle);
      if (!(width > 0 && height > 0)) return { ok: false, code: 'undecodable', detail: 'empty image', fatal: false };
      if (width * height > maxPixels) {
        return { ok: false, code: 'too-large', detail: width + 'x' + height, fatal: false };
      }
      const channels = libheif.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
      const chroma = channels === 4
        ? libheif.heif_chroma.heif_chroma_interleaved_RGBA
        : libheif.heif_chroma.heif_chroma_interleaved_RGB;
      const image = libheif.heif_js_decode_image2(handle, libheif.heif_colorspace.heif_colorspace_RGB, chroma);
      if (!image || image.code || !image.channels) {
        return { ok: false, code: 'undecodable', detail: String((image && image.message) || 'decoding failed'), fatal: false };
      }
      try {
        const plane = image.channels.find((c) => c.id === libheif.heif_channel.heif_channel_interleaved);
        if (!plane) return { ok: false, code: 'undecodable', detail: 'no interleaved plane', fatal: false };
        const rowBytes = plane.width * channels;
        const pixels = new Uint8Array(rowBytes * plane.height);
        for (let y = 0; y < plane.height; y += 1) {
          pixels.set(plane.data.subarray(y * plane.stride, y * plane.stride + rowBytes), y * rowBytes);
        }
        return { ok: true, width: plane.width, height: plane.height, channels, pixels };
      } finally {
        libheif.heif_image_release(image.image);
      }
    } finally {
      libheif.heif_image_handle_release(handle);
    }
  } finally {
    libheif.heif_context_free(context);
  }
}

parentPort.on('message', (request) => {
  let reply;
  try {
    reply = decode(request.bytes, request.maxPixels);
  } catch (error) {
    // An exception out of WebAssembly (abort, out of memory) may leave the module broken: the
    // caller ends this worker.
    reply = { ok: false, code: 'undecodable', detail: String(error && error.message || error), fatal: true };
  }
  reply.id = request.id;
  parentPort.postMessage(reply, reply.ok ? [reply.pixels.buffer] : []);
});
`;

/** Ending an idle worker frees its WebAssembly heap (hundreds of MB after a large photo). */
const IDLE_MS = 60_000;

let worker: Worker | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let nextId = 1;
/** One decode at a time per worker: requests wait their turn here. */
let queue: Promise<unknown> = Promise.resolve();

function libheifPath(): string {
  // The wasm-bundle variant embeds the .wasm and instantiates synchronously; the 'wasm' variant
  // reads './libheif-wasm/libheif.wasm' relative to the working directory.
  return createRequire(import.meta.url).resolve('libheif-js/wasm-bundle');
}

function startWorker(): Worker {
  const started = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { libheifPath: libheifPath() },
    // Emscripten prints aborts to stderr; keep them out of the server's own output.
    stderr: true,
    stdout: true,
  });
  started.stdout.resume();
  started.stderr.resume();
  // Always listened to: an 'error' event without a listener would be thrown in the server's
  // thread. A worker that failed or ended is dropped; a pending decode has its own listeners.
  const drop = (): void => {
    if (worker === started) worker = null;
  };
  started.on('error', drop);
  started.on('exit', drop);
  // The worker alone must not keep the process alive (a CLI run, a test file).
  started.unref();
  return started;
}

function stopWorker(stopping: Worker): void {
  if (worker === stopping) worker = null;
  void stopping.terminate();
}

/** Ends the decoder worker now (shutdown, tests); the next decode starts a new one. */
export async function closeHeifDecoder(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  const current = worker;
  worker = null;
  if (current) await current.terminate();
}

/** Decodes the primary image of a HEIF/HEIC file. Broken input is a result, never a throw. */
export function decodeHeifPrimary(bytes: Uint8Array, options: HeifDecodeOptions): Promise<HeifDecodeResult> {
  const run = queue.then(() => decodeNow(bytes, options));
  queue = run.catch(() => undefined);
  return run;
}

function decodeNow(bytes: Uint8Array, options: HeifDecodeOptions): Promise<HeifDecodeResult> {
  options.signal?.throwIfAborted();
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  const current = worker ?? startWorker();
  worker = current;
  const id = nextId;
  nextId += 1;
  // Transfer a private copy: the caller keeps its buffer, and no copy is made on the way back.
  const copy = new Uint8Array(bytes);

  return new Promise<HeifDecodeResult>((resolve, reject) => {
    /** Detaches from the worker; ends it when it may be unusable, else lets it idle. */
    const finish = (healthy: boolean): void => {
      clearTimeout(timer);
      current.off('message', onMessage);
      current.off('error', onError);
      current.off('exit', onExit);
      options.signal?.removeEventListener('abort', onAbort);
      if (!healthy) {
        stopWorker(current);
      } else if (worker === current) {
        idleTimer = setTimeout(() => stopWorker(current), IDLE_MS);
        idleTimer.unref();
      }
    };
    const onMessage = (reply: WorkerReply): void => {
      if (reply.id !== id) return;
      finish(reply.ok || !reply.fatal);
      if (reply.ok) {
        const pixels = Buffer.from(reply.pixels.buffer, reply.pixels.byteOffset, reply.pixels.byteLength);
        resolve({ ok: true, width: reply.width, height: reply.height, channels: reply.channels, pixels });
      } else {
        resolve({ ok: false, code: reply.code, detail: reply.detail });
      }
    };
    const onError = (error: Error): void => {
      finish(false);
      resolve({ ok: false, code: 'undecodable', detail: `decoder crashed: ${error.message}` });
    };
    const onExit = (code: number): void => {
      finish(false);
      resolve({ ok: false, code: 'undecodable', detail: `decoder exited with code ${code}` });
    };
    const onAbort = (): void => {
      finish(false);
      const reason: unknown = options.signal?.reason;
      // AbortSignal.abort() gives a DOMException (an Error); abort('text') gives anything.
      reject(reason instanceof Error ? reason : new DOMException(String(reason), 'AbortError'));
    };
    const timer = setTimeout(() => {
      finish(false);
      resolve({ ok: false, code: 'timeout', detail: `no result after ${options.timeoutMs} ms` });
    }, options.timeoutMs);

    current.on('message', onMessage);
    current.on('error', onError);
    current.on('exit', onExit);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const request: WorkerRequest = { id, bytes: copy, maxPixels: options.maxPixels };
    current.postMessage(request, [copy.buffer]);
  });
}
