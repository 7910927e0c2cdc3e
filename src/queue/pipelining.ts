import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';

/**
 * A chunk that took less than this (8 MiB at over 1 MB/s) is on a link where the pause between
 * one request's answer and the next request is worth hiding; on a slower one the chunk sent ahead
 * would only wait in the socket's buffers, as the server reads its body only after the one before.
 * It was 2 s (over 4 MB/s); between 1 and 4 MB/s a round trip and the pause per chunk are still
 * worth hiding, and the chunk sent ahead costs nothing while it waits.
 */
export const PIPELINE_FAST_MS = 8000;
/**
 * The first chunk sent ahead leaves this long after the request it follows, so that it reaches
 * the server second (it goes on another connection). Later ones follow a request already there.
 */
export const PIPELINE_FIRST_DELAY_MS = 100;

interface Ahead {
  url: string;
  offset: number;
  size: number;
  request: HttpRequest;
  /** When it was sent, once it was. */
  sentAt: number | null;
  /** Sends it now, if it has not left yet (it waits PIPELINE_FIRST_DELAY_MS otherwise). */
  start: () => void;
  /** Set when it is no longer wanted: if it has not left yet, it never will. */
  cancelled: boolean;
  /** Settles with the answer, or with null when the request failed (then it is sent again). */
  answer: Promise<HttpResponse | null>;
}

/**
 * tus-js-client's HTTP stack, sending an upload's next chunk before the answer to the current
 * one (tus-js-client itself waits for each answer). In Chromium each request costs a pause of
 * several milliseconds on both ends, about 30 % of an 8 MiB chunk's time on a fast link; with the
 * next chunk already on its way, the server starts on it as soon as the current one ends.
 *
 * Safe by tus's rules: the server takes a PATCH only at the upload's exact offset, and waits with
 * a PATCH that continues the one it is writing (ContinuationLocker). The chunk sent ahead is used
 * only if tus-js-client then asks for exactly it and the server took it; otherwise it is dropped
 * and the request is sent as tus-js-client made it, so a failure is seen once, as without this.
 * Only PATCHes of the one Blob being uploaded are sent ahead, and only on a fast link.
 */
export class PipeliningHttpStack implements HttpStack {
  private ahead: Ahead | null = null;
  /** The chunk sent ahead whose answer tus-js-client's request is waiting for. */
  private adopted: Ahead | null = null;
  /** How long the last whole chunk took, when it was taken: null until one was, or after a failure. */
  private lastChunkMs: number | null = null;
  /** When the last chunk's answer came. */
  private lastAnswerAt = 0;

  constructor(
    private readonly inner: HttpStack,
    private readonly blob: Blob,
    private readonly chunkSize: number,
  ) {}

  createRequest(method: string, url: string): HttpRequest {
    return new PipelinedRequest(this, this.inner.createRequest(method, url));
  }

  getName(): string {
    return `Pipelining(${this.inner.getName()})`;
  }

  /** Stops the chunk sent ahead, if any: the upload ended or went another way. */
  cancelAhead(): void {
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead !== null) cancel(ahead);
  }

  /** Stops every request this stack made on its own: tus-js-client aborted its request. */
  abortAll(): void {
    this.cancelAhead();
    const adopted = this.adopted;
    this.adopted = null;
    if (adopted !== null) cancel(adopted);
  }

  /** @internal The answer to a PATCH, from the chunk sent ahead when it is the one asked for. */
  async send(
    request: HttpRequest,
    headers: Map<string, string>,
    body: unknown,
    onProgress: (bytesSent: number) => void,
  ): Promise<HttpResponse> {
    const offset = Number(request.getHeader('Upload-Offset'));
    const chunk = request.getMethod() === 'PATCH' && body instanceof Blob && Number.isSafeInteger(offset);
    const ahead = this.ahead;
    this.ahead = null;
    if (
      chunk &&
      ahead !== null &&
      ahead.url === request.getURL() &&
      ahead.offset === offset &&
      ahead.size === body.size
    ) {
      // The chunk asked for is on its way (or leaves now, if its answer came before its delay
      // was over): the next one goes too, and the answer is awaited.
      const leftBefore = ahead.sentAt !== null;
      ahead.start();
      this.sendAhead(request.getURL(), headers, offset + body.size, leftBefore ? 0 : this.aheadDelay());
      this.adopted = ahead;
      const answer = await ahead.answer;
      if (this.adopted !== ahead) throw new Error('The upload request was aborted.');
      this.adopted = null;
      if (answer !== null && answer.getStatus() >= 200 && answer.getStatus() < 300) {
        // Its time is from when it was sent, or from the last answer if it was sent before that.
        this.noteChunk(body, Math.max(ahead.sentAt ?? 0, this.lastAnswerAt), true);
        onProgress(body.size);
        return answer;
      }
      // The server did not take it (it arrived first, or the link failed): ask as tus-js-client did.
      this.cancelAhead();
    } else if (ahead !== null) {
      cancel(ahead);
    }
    const started = Date.now();
    if (chunk) this.sendAhead(request.getURL(), headers, offset + body.size, this.aheadDelay());
    let response: HttpResponse;
    try {
      response = await request.send(body);
    } catch (error) {
      this.cancelAhead();
      this.lastChunkMs = null;
      throw error;
    }
    const ok = response.getStatus() >= 200 && response.getStatus() < 300;
    if (!ok) this.cancelAhead();
    this.noteChunk(body, started, ok);
    return response;
  }

  /**
   * How long after the request it follows a chunk sent ahead leaves: PIPELINE_FIRST_DELAY_MS, or
   * half the last chunk's time when that is shorter. On a link that takes a chunk in under
   * 100 ms the whole delay would outlast the request it follows, and nothing would ever overlap.
   */
  private aheadDelay(): number {
    if (this.lastChunkMs === null) return PIPELINE_FIRST_DELAY_MS;
    return Math.min(PIPELINE_FIRST_DELAY_MS, Math.floor(this.lastChunkMs / 2));
  }

  private noteChunk(body: unknown, started: number, ok: boolean): void {
    if (!(body instanceof Blob) || body.size !== this.chunkSize) return;
    this.lastAnswerAt = Date.now();
    this.lastChunkMs = ok ? this.lastAnswerAt - started : null;
  }

  /** Sends the chunk at `offset` ahead of tus-js-client's asking, when the link is fast. */
  private sendAhead(url: string, headers: Map<string, string>, offset: number, delayMs: number): void {
    if (offset >= this.blob.size || this.lastChunkMs === null || this.lastChunkMs >= PIPELINE_FAST_MS) return;
    const request = this.inner.createRequest('PATCH', url);
    for (const [name, value] of headers) request.setHeader(name, value);
    request.setHeader('Upload-Offset', String(offset));
    const body = this.blob.slice(offset, offset + this.chunkSize);
    let leave = (): void => undefined;
    const left = new Promise<void>((resolve) => (leave = resolve));
    const timer = setTimeout(leave, delayMs);
    const ahead: Ahead = {
      url,
      offset,
      size: body.size,
      request,
      sentAt: null,
      start: () => {
        clearTimeout(timer);
        leave();
      },
      cancelled: false,
      answer: left
        .then(() => {
          if (ahead.cancelled) return null;
          ahead.sentAt = Date.now();
          return request.send(body);
        })
        .catch(() => null),
    };
    this.ahead = ahead;
  }
}

/** Aborts a chunk sent ahead, or keeps it from leaving. */
function cancel(ahead: Ahead): void {
  ahead.cancelled = true;
  ahead.start();
  void ahead.request.abort();
}

/** A request of the pipelining stack: the inner request, whose sending the stack decides. */
class PipelinedRequest implements HttpRequest {
  /** Headers as set, to be copied onto a chunk sent ahead. */
  private readonly headers = new Map<string, string>();
  private onProgress: (bytesSent: number) => void = () => undefined;

  constructor(
    private readonly stack: PipeliningHttpStack,
    private readonly inner: HttpRequest,
  ) {}

  getMethod(): string {
    return this.inner.getMethod();
  }

  getURL(): string {
    return this.inner.getURL();
  }

  setHeader(header: string, value: string): void {
    this.headers.set(header, value);
    this.inner.setHeader(header, value);
  }

  getHeader(header: string): string | undefined {
    return this.inner.getHeader(header);
  }

  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.onProgress = handler;
    this.inner.setProgressHandler(handler);
  }

  send(body: unknown): Promise<HttpResponse> {
    return this.stack.send(this.inner, this.headers, body, this.onProgress);
  }

  abort(): Promise<void> {
    this.stack.abortAll();
    return this.inner.abort();
  }

  getUnderlyingObject(): unknown {
    return this.inner.getUnderlyingObject();
  }
}
