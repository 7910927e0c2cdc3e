/**
 * One file sent with tus-js-client, unmodified (its Node HTTP stack, a file stream sliced per
 * chunk): created with its metadata and hashes, or resumed from the server's offset at an upload
 * URL a previous run recorded. The URL is handed to `onUploadUrl` before the first byte of a
 * multi-chunk file goes out, so a killed run resumes where the server stands.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Upload, type DetailedError } from 'tus-js-client';
import { isApiErrorBody } from '../shared/errors';
import { ASSET_ID_HEADER, UPLOAD_OUTCOME_HEADER, type UploadOutcome } from '../shared/tus';

export interface TusFile {
  path: string;
  size: number;
  type: string;
  sha256: string;
  capturedAt: string;
}

export interface TusOptions {
  endpoint: string;
  headers: Record<string, string>;
  /** The largest PATCH body the server takes (`/api/config` `tus.maxChunkBytes`). */
  chunkSize: number;
  /** An upload a previous run started, to resume from the server's offset. */
  resumeUrl: string | null;
  signal: AbortSignal;
  onUploadUrl: (url: string) => void;
  /**
   * `held`: bytes of the file the server has so far (what an earlier run sent included); `sent`:
   * bytes sent since the last call.
   */
  onProgress: (held: number, sent: number) => void;
  /** Pauses before each retry of a failed request (tus-js-client's `retryDelays`). */
  retryDelays?: number[];
}

/** How one upload ended. */
export type TusResult =
  | {
      kind: 'stored';
      assetId: string;
      outcome: UploadOutcome;
      /** Where a resumed upload picked up (the server's offset), or null for a new one. */
      resumedFrom: number | null;
    }
  /** The server refuses this file (too large, not a photo or video): it would refuse it again. */
  | { kind: 'refused'; message: string }
  /** The token was refused (revoked, expired, not allowed to upload): nothing else will work. */
  | { kind: 'unauthorized'; status: number; message: string }
  /** It did not get through (network, server trouble, quota); the next run tries again. */
  | { kind: 'failed'; message: string; connection: boolean }
  | { kind: 'aborted' };

/** Enough for a restarting server or a network blip; a dead server fails the run within a minute. */
export const RETRY_DELAYS = [1_000, 3_000, 10_000, 30_000];

function messageOf(body: string, status: number): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isApiErrorBody(parsed)) return parsed.error.message;
  } catch {
    // Not JSON (a proxy's page): the status says it.
  }
  return `The server answered ${status}.`;
}

function codeOf(body: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    return isApiErrorBody(parsed) ? parsed.error.code : null;
  } catch {
    return null;
  }
}

/** What a failure from tus-js-client means for this file and for the run. */
function classify(error: Error | DetailedError): TusResult {
  const detailed = error as Partial<DetailedError>;
  const response = detailed.originalResponse ?? null;
  if (response === null) {
    const cause = (detailed as { causingError?: Error }).causingError ?? error;
    return { kind: 'failed', message: `The upload was cut off (${cause.message}).`, connection: true };
  }
  const status = response.getStatus();
  const body = response.getBody();
  const message = messageOf(body, status);
  const code = codeOf(body);
  if (status === 401 || code === 'TOKEN_SCOPE') return { kind: 'unauthorized', status, message };
  if (code === 'TOO_LARGE' || code === 'UNSUPPORTED_TYPE') return { kind: 'refused', message };
  if (code === 'CHECKSUM_MISMATCH') {
    return { kind: 'failed', message: 'The file changed while it was being uploaded.', connection: false };
  }
  return { kind: 'failed', message, connection: false };
}

export function uploadFile(file: TusFile, options: TusOptions): Promise<TusResult> {
  return new Promise<TusResult>((settle) => {
    if (options.signal.aborted) {
      settle({ kind: 'aborted' });
      return;
    }
    const resolve = (result: TusResult): void => {
      options.signal.removeEventListener('abort', onAbort);
      settle(result);
    };
    // Not terminated: the upload stays on the server for the next run to resume.
    const onAbort = (): void => {
      const aborted = (): void => resolve({ kind: 'aborted' });
      upload.abort(false).then(aborted, aborted);
    };
    let resumedFrom: number | null = null;
    // tus-js-client counts from the offset it resumed at (a HEAD's Upload-Offset, at each retry too).
    let base = 0;
    const upload = new Upload(createReadStream(file.path), {
      endpoint: options.endpoint,
      uploadUrl: options.resumeUrl,
      uploadSize: file.size,
      chunkSize: options.chunkSize,
      // A file that fits one request goes with the request that creates it (creation-with-upload);
      // a larger one is created empty first, so its URL is recorded before any byte is sent.
      uploadDataDuringCreation: file.size <= options.chunkSize,
      headers: options.headers,
      metadata: {
        filename: path.basename(file.path),
        type: file.type,
        sha256: file.sha256,
        sourceSha256: file.sha256,
        capturedAt: file.capturedAt,
      },
      retryDelays: options.retryDelays ?? RETRY_DELAYS,
      // 429 (too many unfinished uploads at once) passes too, as 409 and 423 do by default.
      onShouldRetry: (error) => {
        const status = error.originalResponse?.getStatus() ?? 0;
        return status === 0 || status >= 500 || status === 409 || status === 423 || status === 429;
      },
      // The CLI keeps upload URLs in its own state file, per account.
      storeFingerprintForResuming: false,
      onUploadUrlAvailable: () => {
        if (upload.url !== null) options.onUploadUrl(upload.url);
      },
      onAfterResponse: (request, response) => {
        if (request.getMethod() !== 'HEAD') return;
        const offset = Number(response.getHeader('Upload-Offset'));
        if (!Number.isFinite(offset)) return;
        // An earlier run's upload picked up; a retry within this run is not a resume to report.
        if (options.resumeUrl !== null) resumedFrom ??= offset;
        base = offset;
      },
      onProgress: (bytes) => {
        options.onProgress(bytes, Math.max(0, bytes - base));
        base = bytes;
      },
      onSuccess: ({ lastResponse }) => {
        const assetId = lastResponse.getHeader(ASSET_ID_HEADER);
        const outcome = lastResponse.getHeader(UPLOAD_OUTCOME_HEADER);
        if (assetId === undefined || (outcome !== 'created' && outcome !== 'duplicate')) {
          resolve({
            kind: 'failed',
            message: 'The server finished the upload without naming the photo it became.',
            connection: false,
          });
          return;
        }
        resolve({ kind: 'stored', assetId, outcome, resumedFrom });
      },
      onError: (error) => {
        resolve(options.signal.aborted ? { kind: 'aborted' } : classify(error));
      },
    });
    options.signal.addEventListener('abort', onAbort, { once: true });
    upload.start();
  });
}
