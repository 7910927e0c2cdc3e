import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';
import type { FetchFn } from './http';

function bodySize(body: BodyInit | null): number {
  if (body === null) return 0;
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (typeof body === 'string') return new TextEncoder().encode(body).byteLength;
  return 0;
}

class FetchHttpResponse implements HttpResponse {
  constructor(
    private readonly response: Response,
    private readonly body: string,
  ) {}

  getStatus(): number {
    return this.response.status;
  }

  getHeader(header: string): string | undefined {
    return this.response.headers.get(header) ?? undefined;
  }

  getBody(): string {
    return this.body;
  }

  getUnderlyingObject(): Response {
    return this.response;
  }
}

class FetchHttpRequest implements HttpRequest {
  /** By lower-case name, keeping the name as set. */
  private readonly headers = new Map<string, [string, string]>();
  private readonly controller = new AbortController();
  private onProgress: (bytesSent: number) => void = () => undefined;

  constructor(
    private readonly method: string,
    private readonly url: string,
    private readonly fetchFn: FetchFn,
    private readonly signal: AbortSignal | undefined,
  ) {}

  getMethod(): string {
    return this.method;
  }

  getURL(): string {
    return this.url;
  }

  setHeader(header: string, value: string): void {
    this.headers.set(header.toLowerCase(), [header, value]);
  }

  getHeader(header: string): string | undefined {
    return this.headers.get(header.toLowerCase())?.[1];
  }

  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.onProgress = handler;
  }

  async send(body: BodyInit | null = null): Promise<HttpResponse> {
    // The drain's signal stops this request too. (AbortSignal.any would do, but Safari has it only since 17.4.)
    const abortFromOutside = (): void => this.controller.abort(this.signal?.reason);
    if (this.signal?.aborted === true) abortFromOutside();
    this.signal?.addEventListener('abort', abortFromOutside, { once: true });
    try {
      const response = await this.fetchFn(this.url, {
        method: this.method,
        headers: Object.fromEntries(this.headers.values()),
        body,
        signal: this.controller.signal,
        credentials: 'same-origin',
        cache: 'no-store',
      });
      // Read the whole answer here: tus-js-client reads it synchronously through getBody().
      const text = await response.text();
      // fetch has no upload progress events (https://github.com/whatwg/fetch/issues/607), so
      // progress moves once per chunk, when its request has completed.
      this.onProgress(bodySize(body));
      return new FetchHttpResponse(response, text);
    } finally {
      this.signal?.removeEventListener('abort', abortFromOutside);
    }
  }

  abort(): Promise<void> {
    this.controller.abort();
    return Promise.resolve();
  }

  getUnderlyingObject(): AbortController {
    return this.controller;
  }
}

/**
 * tus-js-client's HTTP stack over fetch instead of XMLHttpRequest, which service workers lack.
 * Cookies go along same-origin; `signal` aborts every request the upload makes.
 */
export class FetchHttpStack implements HttpStack {
  private readonly fetchFn: FetchFn;

  constructor(private readonly options: { fetch?: FetchFn; signal?: AbortSignal | undefined } = {}) {
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  createRequest(method: string, url: string): HttpRequest {
    return new FetchHttpRequest(method, url, this.fetchFn, this.options.signal);
  }

  getName(): string {
    return 'FetchHttpStack';
  }
}
