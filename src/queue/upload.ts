import type { PreviousUpload, UrlStorage } from 'tus-js-client';
// Not 'tus-js-client': its browser entry throws at load in a service worker (see the declaration).
import BaseUpload from 'tus-js-client/lib.esm/upload.js';
import { ASSET_ID_HEADER, UPLOAD_OUTCOME_HEADER } from '../shared/tus';
import type { UploadMetadata, UploadOutcome } from '../shared/tus';
import { BlobFileReader } from './blobFileReader';
import { FetchHttpStack } from './fetchHttpStack';
import type { FetchFn } from './http';
import type { UploadSession } from './item';

/** tus-js-client must never keep upload URLs in localStorage: the queue record is their one home. */
const NO_URL_STORAGE: UrlStorage = {
  findAllUploads: (): Promise<PreviousUpload[]> => Promise.resolve([]),
  findUploadsByFingerprint: (): Promise<PreviousUpload[]> => Promise.resolve([]),
  removeUpload: (): Promise<void> => Promise.resolve(),
  addUpload: (): Promise<string> => Promise.resolve(''),
};

export type UploadResult =
  /** The server has the file. The ids are null when the last answer did not carry them (see drain). */
  | { kind: 'uploaded'; assetId: string | null; outcome: UploadOutcome | null }
  | { kind: 'error'; error: unknown }
  /** Stopped as asked after the first chunk (`pauseAfterFirstChunk`); resume from `session`. */
  | { kind: 'paused'; session: UploadSession }
  | { kind: 'aborted' };

export interface UploadRequest {
  blob: Blob;
  metadata: UploadMetadata;
  /** Where to resume, from the queue record. */
  session: UploadSession | null;
  /** Absolute URL of the tus endpoint. */
  endpoint: string;
  /**
   * Persists the upload URL and confirmed offset; awaited before the upload reports its end. Not
   * called for what the server confirmed together with the whole file (the item is done next).
   */
  saveSession: (session: UploadSession) => Promise<unknown>;
  onProgress?: ((bytesUploaded: number, bytesTotal: number) => void) | undefined;
  signal?: AbortSignal | undefined;
  fetch?: FetchFn | undefined;
  /** Bytes per PATCH (and on the creation request); chunkSize.ts chooses it. */
  chunkSize: number;
  /** Each chunk the server confirmed: its bytes and the time since the last one (or the start). */
  onChunk?: ((bytes: number, ms: number) => void) | undefined;
  /** Stop once the first chunk is confirmed (to measure the link before choosing the chunk size). */
  pauseAfterFirstChunk?: boolean;
}

export function tusMetadata(metadata: UploadMetadata): Record<string, string> {
  const record: Record<string, string> = {
    filename: metadata.filename,
    type: metadata.type,
    sha256: metadata.sha256,
    sourceSha256: metadata.sourceSha256,
  };
  if (metadata.capturedAt !== undefined) record.capturedAt = metadata.capturedAt;
  if (metadata.albumId !== undefined) record.albumId = metadata.albumId;
  return record;
}

function outcomeFrom(value: string | undefined): UploadOutcome | null {
  return value === 'created' || value === 'duplicate' ? value : null;
}

/**
 * Uploads one blob with tus, resuming from `session` when there is one. Retries are left to the
 * queue (`retryDelays: null`), so they survive reloads and the user can see them. Never rejects:
 * the outcome is in the result.
 */
export function uploadBlob(request: UploadRequest): Promise<UploadResult> {
  const { blob, session, signal } = request;
  return new Promise<UploadResult>((resolve) => {
    if (signal?.aborted === true) {
      resolve({ kind: 'aborted' });
      return;
    }
    // Session writes run in order, and the result waits for them, so the record never lags behind
    // what the drain reports. A failed write (the item was removed meanwhile) stops the upload.
    let writes: Promise<unknown> = Promise.resolve();
    let settled = false;
    const { chunkSize } = request;
    let lastChunkAt = performance.now();
    const httpStack = new FetchHttpStack({ fetch: request.fetch, signal });
    const finish = (result: UploadResult): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const finishAfterWrites = (result: UploadResult): void => {
      writes.then(
        () => finish(result),
        (error: unknown) => finish({ kind: 'error', error }),
      );
    };
    /** The newest session not yet written, and whether the server already has the whole file. */
    let pending: UploadSession | null = null;
    let complete = false;
    const save = (next: UploadSession): void => {
      const scheduled = pending !== null;
      pending = next;
      if (scheduled) return;
      // One write for the sessions that arrive together (the URL and the first chunk's offset of
      // a creation-with-upload), and none once the upload is complete: the item becomes done
      // next, in a transaction of its own. A photo sent in one request costs no session write.
      writes = writes.then(async () => {
        const latest = pending;
        pending = null;
        if (latest !== null && !complete) await request.saveSession(latest);
      });
      writes.catch((error: unknown) => {
        void upload.abort();
        finish({ kind: 'error', error });
      });
    };

    const upload = new BaseUpload(blob, {
      ...BaseUpload.defaultOptions,
      endpoint: request.endpoint,
      uploadUrl: session?.url ?? null,
      metadata: tusMetadata(request.metadata),
      chunkSize,
      // The first chunk rides on the request that creates the upload (tus creation-with-upload),
      // so a photo, which fits one chunk, is one request and one round trip instead of two. If
      // that request fails, no URL was learnt and the next attempt creates the upload again.
      uploadDataDuringCreation: true,
      retryDelays: null,
      storeFingerprintForResuming: false,
      removeFingerprintOnSuccess: true,
      urlStorage: NO_URL_STORAGE,
      // The core calls fingerprint() unconditionally and accepts null ("no fingerprint", upload.js
      // in tus-js-client 4.3), though its typings say string; with no URL storage nothing is keyed.
      fingerprint: () => Promise.resolve(null as unknown as string),
      fileReader: new BlobFileReader(),
      httpStack,
      // No session is written when the URL arrives: with creation-with-upload it comes in the
      // answer that also confirms the first chunk (onChunkComplete below), and a URL learnt
      // without a confirmed byte saves nothing a new creation would not.
      onChunkComplete(bytes, bytesAccepted) {
        const now = performance.now();
        request.onChunk?.(bytes, now - lastChunkAt);
        lastChunkAt = now;
        if (upload.url === null) return;
        const next = { url: upload.url, offset: bytesAccepted };
        save(next);
        if (request.pauseAfterFirstChunk === true && bytesAccepted < blob.size) {
          // Called from onChunkComplete, abort() keeps tus-js-client from sending the next PATCH
          // (upload.js, _performUpload: "important if the abort method was called during a callback").
          void upload.abort();
          finishAfterWrites({ kind: 'paused', session: next });
        }
      },
      onProgress(bytesSent, bytesTotal) {
        request.onProgress?.(bytesSent, bytesTotal);
      },
      onSuccess({ lastResponse }) {
        complete = true;
        finishAfterWrites({
          kind: 'uploaded',
          assetId: lastResponse.getHeader(ASSET_ID_HEADER) ?? null,
          outcome: outcomeFrom(lastResponse.getHeader(UPLOAD_OUTCOME_HEADER)),
        });
      },
      onError(error) {
        finishAfterWrites(signal?.aborted === true ? { kind: 'aborted' } : { kind: 'error', error });
      },
    });

    function onAbort(): void {
      // tus-js-client calls no handler after abort(), so the result is settled here.
      void upload.abort();
      finishAfterWrites({ kind: 'aborted' });
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    upload.start();
  });
}
