import { ERRORS } from '../shared/errors';
import { parseRetryAfter } from './backoff';
import { ApiError, NetworkError, apiErrorFrom } from './http';

/** What an upload (or a check) that went wrong means for its item. */
export type UploadFailure =
  /** The drain was stopped; the item goes back to where it was, nothing is counted. */
  | { kind: 'aborted' }
  /** The session is gone: blocked until the user signs in again. */
  | { kind: 'signed-out' }
  /**
   * No answer, a 5xx or a 429: the network or the server, not this item. Counted as a failed
   * attempt with backoff, and the drain stops instead of failing every other item the same way.
   */
  | { kind: 'transient'; message: string; retryAfterMs: number | null }
  /** The upload on the server is gone or held the wrong bytes: forget its URL and send the file again. */
  | { kind: 'restart'; message: string }
  /** A conflict that resolves itself (tus 409 offset mismatch, 423 locked): retry later from the server's offset. */
  | { kind: 'retry'; message: string }
  /** The server refuses this file (limits, type): skipped with the server's sentence. */
  | { kind: 'rejected'; message: string };

/** An HTTP answer as the classifier needs it, whatever client produced it. */
export interface HttpAnswer {
  status: number;
  body: string;
  retryAfterMs: number | null;
}

const CONNECTION_MESSAGE = "Shoebox can't reach the server. It will try again.";

/** Classifies an HTTP status with the sentence the server sent along. */
export function classifyStatus(
  status: number,
  message: string,
  retryAfterMs: number | null = null,
): UploadFailure {
  if (status === 401) return { kind: 'signed-out' };
  if (status === 429 || status >= 500) return { kind: 'transient', message, retryAfterMs };
  if (status === ERRORS.CHECKSUM_MISMATCH.status || status === 404 || status === 410) {
    return { kind: 'restart', message };
  }
  if (status === 409 || status === 423) return { kind: 'retry', message };
  if (status >= 400) return { kind: 'rejected', message };
  // A 1xx–3xx where tus expected something else (a missing Upload-Offset, say): the server or a
  // proxy in between misbehaved; try again later.
  return { kind: 'retry', message: 'The server gave an answer Shoebox did not expect. It will try again.' };
}

export function classifyHttpAnswer(answer: HttpAnswer): UploadFailure {
  return classifyStatus(answer.status, apiErrorFrom(answer.status, answer.body).message, answer.retryAfterMs);
}

/** Classifies a failed JSON request (requestJson's errors). */
export function classifyRequestError(error: unknown, options: { aborted: boolean }): UploadFailure {
  if (options.aborted) return { kind: 'aborted' };
  if (error instanceof ApiError) return classifyStatus(error.status, error.message);
  if (error instanceof NetworkError)
    return { kind: 'transient', message: CONNECTION_MESSAGE, retryAfterMs: null };
  // Not an HTTP failure: a bug or an unreadable answer. Treated as passing trouble, never as the item's fault.
  const detail = error instanceof Error ? ` (${error.message})` : '';
  return {
    kind: 'transient',
    message: `Shoebox could not talk to the server${detail}. It will try again.`,
    retryAfterMs: null,
  };
}

interface TusLikeError {
  originalRequest?: unknown;
  originalResponse?: {
    getStatus(): number;
    getBody(): string;
    getHeader(name: string): string | undefined;
  } | null;
}

/**
 * Classifies an error from tus-js-client's onError: a DetailedError carries the request and, when
 * there was an answer, the response; anything else failed before or around the request.
 */
export function classifyUploadError(
  error: unknown,
  options: { aborted: boolean; now: number },
): UploadFailure {
  if (options.aborted) return { kind: 'aborted' };
  const detailed = (typeof error === 'object' && error !== null ? error : {}) as TusLikeError;
  const response = detailed.originalResponse ?? null;
  if (response !== null) {
    const retryAfter = response.getHeader('Retry-After');
    return classifyHttpAnswer({
      status: response.getStatus(),
      body: response.getBody(),
      retryAfterMs: parseRetryAfter(retryAfter, options.now),
    });
  }
  if (detailed.originalRequest !== undefined) {
    // A request without a response: offline, connection reset, server down.
    return { kind: 'transient', message: CONNECTION_MESSAGE, retryAfterMs: null };
  }
  const detail = error instanceof Error ? ` (${error.message})` : '';
  return { kind: 'retry', message: `The upload stopped unexpectedly${detail}. It will try again.` };
}
