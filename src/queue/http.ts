import { ERRORS, isApiErrorBody } from '../shared/errors';
import type { ErrorCode } from '../shared/errors';

/** An error answer from the API, with the server's code and its sentence for the user. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | null,
    message: string,
  ) {
    super(message);
  }
}

/** The server could not be reached at all (offline, DNS, connection refused). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(options?: { cause?: unknown }) {
    super("Shoebox can't reach the server. Check the connection.", options);
  }
}

/** The sentence to show for an error answer whose body is not the API's `{ error }` shape. */
function fallbackMessage(status: number): string {
  if (status === 401) return ERRORS.UNAUTHENTICATED.message;
  if (status === 429) return ERRORS.RATE_LIMITED.message;
  if (status >= 500) return ERRORS.INTERNAL.message;
  return `The server answered with an error (HTTP ${status}).`;
}

/** Turns an error body (JSON text or an already parsed value) into an ApiError. */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      // Not JSON (a proxy's HTML error page, say): fall back to a sentence for the status.
      value = null;
    }
  }
  if (isApiErrorBody(value)) return new ApiError(status, value.error.code, value.error.message);
  return new ApiError(status, null, fallbackMessage(status));
}

/** The part of `fetch` Shoebox uses; tests pass stand-ins. */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON; a Blob is sent as itself, with its own type (an image upload, say). */
  body?: unknown;
  signal?: AbortSignal | undefined;
  fetch?: FetchFn | undefined;
}

/**
 * One JSON request to the API, for the page and the service worker alike: same-origin cookies,
 * JSON in and out, an ApiError with the server's sentence for any non-2xx answer, a NetworkError
 * when there is no answer. An abort rejects with the signal's AbortError unchanged.
 */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signal } = options;
  const fetchFn: FetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  let response: Response;
  try {
    response = await fetchFn(path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { Accept: 'application/json' }
          : {
              Accept: 'application/json',
              'Content-Type': body instanceof Blob ? body.type : 'application/json',
            },
      body: body === undefined ? null : body instanceof Blob ? body : JSON.stringify(body),
      signal: signal ?? null,
      cache: 'no-store',
    });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    throw new NetworkError({ cause: error });
  }
  const text = await response.text();
  if (!response.ok) throw apiErrorFrom(response.status, text);
  if (response.status === 204 || text === '') return undefined as T;
  return JSON.parse(text) as T;
}
