/**
 * Video poster frames, taken in the page while a video is prepared: the browser already decodes
 * the video, so the server needs no ffmpeg (issue 4: "taken in the browser at upload time").
 * The frame travels with the queue item and is sent once the upload has an asset id (drain.ts).
 *
 * This module also compiles for the service worker, whose lib has no DOM types; it uses only the
 * few members of <video> declared below, and `capturePoster` answers null where there is no
 * document (the service worker, a dedicated worker): those items simply have no poster.
 */
import { mediaKindOf } from '../shared/limits';
import { POSTER_MAX_BYTES } from '../shared/api';
import type { Preparer } from '../queue/preparer';

/** The poster's long side at most, in pixels: the server's large preview is as big. */
export const POSTER_MAX_SIDE = 1280;
/** A video Chromium cannot decode (HEVC without hardware support, a damaged file) gets no poster after this. */
export const POSTER_TIMEOUT_MS = 8_000;
/** The frame is taken at a tenth of the video, at most this many seconds in (past a black first frame). */
const POSTER_AT_MAX_SECONDS = 1;
const QUALITIES = [0.82, 0.6] as const;

/** The members of HTMLVideoElement used here (see the module comment). */
interface PosterVideo extends EventTarget {
  muted: boolean;
  preload: string;
  src: string;
  currentTime: number;
  readonly duration: number;
  readonly videoWidth: number;
  readonly videoHeight: number;
  readonly readyState: number;
  load(): void;
  removeAttribute(name: string): void;
  setAttribute(name: string, value: string): void;
}

interface PosterDocument {
  createElement(tag: 'video'): PosterVideo;
}

/** HTMLMediaElement.HAVE_CURRENT_DATA: the frame at the current position can be drawn. */
const HAVE_CURRENT_DATA = 2;

function pageDocument(): PosterDocument | null {
  return (globalThis as { document?: PosterDocument }).document ?? null;
}

/** The poster's size: the frame scaled down (never up) to at most `maxSide` on its long side. */
export function posterSize(
  width: number,
  height: number,
  maxSide = POSTER_MAX_SIDE,
): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Where the frame is taken: a tenth of the way in, at most a second; the start when the length is unknown. */
export function posterTime(duration: number): number {
  return Number.isFinite(duration) && duration > 0 ? Math.min(duration / 10, POSTER_AT_MAX_SECONDS) : 0;
}

function once(target: EventTarget, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = (): void => {
      target.removeEventListener('error', onError);
      resolve();
    };
    const onError = (): void => {
      target.removeEventListener(type, onEvent);
      reject(new Error('The video could not be decoded.'));
    };
    target.addEventListener(type, onEvent, { once: true });
    target.addEventListener('error', onError, { once: true });
  });
}

/** Encodes the canvas as WebP (JPEG where the browser cannot encode WebP) within the server's size limit. */
async function encode(canvas: OffscreenCanvas): Promise<Blob | null> {
  for (const quality of QUALITIES) {
    let blob = await canvas.convertToBlob({ type: 'image/webp', quality });
    // A browser that cannot encode WebP answers PNG (HTML "serialising a bitmap to a file").
    if (blob.type !== 'image/webp') blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
    if (blob.size <= POSTER_MAX_BYTES) return blob;
  }
  return null;
}

async function drawFrame(video: PosterVideo, url: string): Promise<Blob | null> {
  video.muted = true;
  video.preload = 'auto';
  video.setAttribute('playsinline', '');
  const metadata = once(video, 'loadedmetadata');
  video.src = url;
  await metadata;
  const at = posterTime(video.duration);
  if (at > 0) {
    const seeked = once(video, 'seeked');
    video.currentTime = at;
    await seeked;
  }
  if (video.readyState < HAVE_CURRENT_DATA) await once(video, 'loadeddata');
  if (video.videoWidth === 0 || video.videoHeight === 0) return null;
  const size = posterSize(video.videoWidth, video.videoHeight);
  const canvas = new OffscreenCanvas(size.width, size.height);
  const context = canvas.getContext('2d');
  if (context === null) return null;
  // The video element is a CanvasImageSource in the page; the worker lib's type does not list it.
  context.drawImage(video as unknown as CanvasImageSource, 0, 0, size.width, size.height);
  return encode(canvas);
}

/**
 * A poster frame of `video` (WebP or JPEG, at most POSTER_MAX_SIDE on its long side), or null
 * when there is no document, the browser cannot decode the video within `timeoutMs`, or the
 * frame cannot be encoded small enough. Never rejects: a missing poster only means the server's
 * placeholder shows. The element and its object URL are released either way.
 */
export async function capturePoster(
  video: Blob,
  options: { timeoutMs?: number; signal?: AbortSignal | undefined } = {},
): Promise<Blob | null> {
  const document = pageDocument();
  if (document === null || typeof OffscreenCanvas === 'undefined') return null;
  const element = document.createElement('video');
  const url = URL.createObjectURL(video);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), options.timeoutMs ?? POSTER_TIMEOUT_MS);
    options.signal?.addEventListener('abort', () => resolve(null), { once: true });
  });
  try {
    return await Promise.race([drawFrame(element, url).catch(() => null), stop]);
  } finally {
    clearTimeout(timer);
    element.removeAttribute('src');
    element.load();
    URL.revokeObjectURL(url);
  }
}

/**
 * Wraps a preparer so that each video it finds ready also gets a poster frame (`posterBlob`),
 * stored with the item by markReady. Used by the page only: the service worker has no <video>.
 */
export function withPosters(prepare: Preparer, capture: typeof capturePoster = capturePoster): Preparer {
  return async (input) => {
    const result = await prepare(input);
    if (result.kind !== 'ready' || mediaKindOf(result.fields.type) !== 'video') return result;
    const poster = await capture(input.blob, { signal: input.signal });
    // An abort while the frame was taken stops the item like any other abort of preparing.
    input.signal?.throwIfAborted();
    return poster === null ? result : { kind: 'ready', fields: { ...result.fields, posterBlob: poster } };
  };
}
