import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PIPELINE_FAST_MS, PIPELINE_FIRST_DELAY_MS, PipeliningHttpStack } from './pipelining';
import { FakeServer, ORIGIN } from './testing/fakeServer';
import { uploadBlob } from './upload';
import type { FetchFn } from './http';

const ENDPOINT = 'http://x/api/uploads';
const URL_1 = `${ENDPOINT}/1`;
/** 24 bytes, each chunk of 4 recognisable by its letters. */
const CONTENT = 'abcdefghijklmnopqrstuvwx';
const CHUNK = 4;

/** What the fake answers a request with. */
interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** How long the answer takes. */
  delayMs?: number;
  /** Fail like a dropped connection instead of answering. */
  error?: Error;
}

class FakeResponse implements HttpResponse {
  constructor(
    private readonly status: number,
    private readonly headers: Record<string, string>,
  ) {}
  getStatus(): number {
    return this.status;
  }
  getHeader(header: string): string | undefined {
    return this.headers[header.toLowerCase()];
  }
  getBody(): string {
    return '';
  }
  getUnderlyingObject(): unknown {
    return null;
  }
}

/** A request the inner stack sent. */
interface Sent {
  method: string;
  url: string;
  /** By lower-case name. */
  headers: Record<string, string>;
  body: unknown;
  /** Upload-Offset, as a number, or null. */
  offset: number | null;
  /** The body's bytes as text (the letters tell which slice of CONTENT it is), or null. */
  text: Promise<string | null>;
  sentAt: number;
  aborted: boolean;
  answered: boolean;
  /** The answer it got (the very object), once it did. */
  response: HttpResponse | null;
}

class FakeRequest implements HttpRequest {
  readonly headers = new Map<string, string>();
  sent: Sent | null = null;
  abortCalls = 0;
  progressHandlerSet = false;
  private fail: ((error: Error) => void) | null = null;

  constructor(
    private readonly stack: FakeStack,
    private readonly method: string,
    private readonly url: string,
  ) {}

  getMethod(): string {
    return this.method;
  }
  getURL(): string {
    return this.url;
  }
  setHeader(header: string, value: string): void {
    this.headers.set(header.toLowerCase(), value);
  }
  getHeader(header: string): string | undefined {
    return this.headers.get(header.toLowerCase());
  }
  setProgressHandler(): void {
    this.progressHandlerSet = true;
  }

  send(body: unknown): Promise<HttpResponse> {
    const offset = this.headers.get('upload-offset');
    const sent: Sent = {
      method: this.method,
      url: this.url,
      headers: Object.fromEntries(this.headers),
      body,
      offset: offset === undefined ? null : Number(offset),
      text: body instanceof Blob ? body.text() : Promise.resolve(null),
      sentAt: Date.now(),
      aborted: false,
      answered: false,
      response: null,
    };
    this.sent = sent;
    this.stack.sent.push(sent);
    if (this.abortCalls > 0) {
      sent.aborted = true;
      return Promise.reject(new Error('aborted before it was sent'));
    }
    const reply = this.stack.reply(sent);
    return new Promise<HttpResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail = null;
        sent.answered = true;
        if (reply.error !== undefined) {
          reject(reply.error);
          return;
        }
        const response = new FakeResponse(reply.status ?? 204, {
          'upload-offset': String((sent.offset ?? 0) + (body instanceof Blob ? body.size : 0)),
          ...reply.headers,
        });
        sent.response = response;
        resolve(response);
      }, reply.delayMs ?? 0);
      this.fail = (error) => {
        clearTimeout(timer);
        reject(error);
      };
    });
  }

  abort(): Promise<void> {
    this.abortCalls += 1;
    if (this.sent !== null && !this.sent.answered) this.sent.aborted = true;
    this.fail?.(new Error('aborted'));
    this.fail = null;
    return Promise.resolve();
  }

  getUnderlyingObject(): unknown {
    return this;
  }
}

/** The inner stack: records every request it made and sent, and answers as `reply` says. */
class FakeStack implements HttpStack {
  readonly created: FakeRequest[] = [];
  readonly sent: Sent[] = [];
  /** Default: 204 after 50 ms. */
  reply: (sent: Sent) => Reply = () => ({ delayMs: 50 });

  createRequest(method: string, url: string): FakeRequest {
    const request = new FakeRequest(this, method, url);
    this.created.push(request);
    return request;
  }
  getName(): string {
    return 'Fake';
  }

  /** [method, offset] of each request sent, in order. */
  get log(): [string, number | null][] {
    return this.sent.map((s) => [s.method, s.offset]);
  }
}

describe('PipeliningHttpStack', () => {
  let inner: FakeStack;
  let stack: PipeliningHttpStack;
  const blob = new Blob([CONTENT]);

  beforeEach(() => {
    vi.useFakeTimers();
    inner = new FakeStack();
    stack = new PipeliningHttpStack(inner, blob, CHUNK);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A request as tus-js-client makes it, with its progress recorded. */
  const make = (
    method: string,
    url: string,
    offset?: number,
  ): { request: HttpRequest; progress: number[] } => {
    const request = stack.createRequest(method, url);
    request.setHeader('Tus-Resumable', '1.0.0');
    if (offset !== undefined) {
      request.setHeader('Upload-Offset', String(offset));
      request.setHeader('Content-Type', 'application/offset+octet-stream');
    }
    const progress: number[] = [];
    request.setProgressHandler((bytes) => progress.push(bytes));
    return { request, progress };
  };

  /** Sends and lets fake time run until the answer (or failure) is in. */
  const answerOf = async <T>(promise: Promise<T>): Promise<T> => {
    let done = false;
    const watched = promise.finally(() => {
      done = true;
    });
    watched.catch(() => undefined);
    for (let i = 0; i < 1000 && !done; i++) await vi.advanceTimersByTimeAsync(10);
    return watched;
  };

  /** A POST that creates the upload carrying its first whole chunk, answered after `delayMs`. */
  const createWithChunk = async (delayMs = 50): Promise<void> => {
    const previous = inner.reply;
    inner.reply = (sent) => (sent.method === 'POST' ? { status: 201, delayMs } : previous(sent));
    const { request } = make('POST', ENDPOINT);
    request.setHeader('Upload-Length', String(CONTENT.length));
    const response = await answerOf(request.send(blob.slice(0, CHUNK)));
    expect(response.getStatus()).toBe(201);
    inner.reply = previous;
  };

  const patch = (
    offset: number,
    size = CHUNK,
    url = URL_1,
  ): { promise: Promise<HttpResponse>; progress: number[]; request: HttpRequest } => {
    const { request, progress } = make('PATCH', url, offset);
    const promise = request.send(blob.slice(offset, offset + size));
    promise.catch(() => undefined);
    return { promise, progress, request };
  };

  const sentAt = (offset: number): Sent[] =>
    inner.sent.filter((s) => s.method === 'PATCH' && s.offset === offset);

  it('sends nothing ahead before a whole chunk was taken', async () => {
    expect(stack.getName()).toBe('Pipelining(Fake)');
    const { promise } = patch(0);
    expect((await answerOf(promise)).getStatus()).toBe(204);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(inner.log).toEqual([['PATCH', 0]]);
  });

  it('sends nothing ahead after a fast request whose body is not a whole chunk', async () => {
    const { request } = make('POST', ENDPOINT);
    inner.reply = () => ({ status: 201, delayMs: 10 });
    await answerOf(request.send(blob.slice(0, 3)));
    inner.reply = () => ({ delayMs: 10 });
    await answerOf(patch(3).promise);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(inner.log).toEqual([
      ['POST', null],
      ['PATCH', 3],
    ]);
  });

  it('after a fast whole chunk, sends the next chunk PIPELINE_FIRST_DELAY_MS after the PATCH it follows', async () => {
    // A chunk taken in twice the delay or more: the whole delay applies.
    await createWithChunk(2 * PIPELINE_FIRST_DELAY_MS);
    inner.reply = () => ({ delayMs: 300 });
    const first = patch(4);
    await vi.advanceTimersByTimeAsync(PIPELINE_FIRST_DELAY_MS - 1);
    expect(inner.log).toEqual([
      ['POST', null],
      ['PATCH', 4],
    ]);
    await vi.advanceTimersByTimeAsync(1);
    expect(inner.log).toEqual([
      ['POST', null],
      ['PATCH', 4],
      ['PATCH', 8],
    ]);
    const [tusOwn, ahead] = [sentAt(4)[0], sentAt(8)[0]];
    // Sent before the answer to the one it follows, with the same headers but its own offset.
    expect(tusOwn?.answered).toBe(false);
    expect(ahead?.url).toBe(URL_1);
    expect(ahead?.headers).toEqual({
      'tus-resumable': '1.0.0',
      'content-type': 'application/offset+octet-stream',
      'upload-offset': '8',
    });
    expect(await ahead?.text).toBe('ijkl');
    expect(ahead?.aborted).toBe(false);
    await answerOf(first.promise);
  });

  it('on a link faster than the first delay, sends the next chunk half a chunk’s time after the PATCH it follows', async () => {
    // 60 ms a chunk: the whole delay would outlast the PATCH, and nothing would overlap.
    await createWithChunk(60);
    inner.reply = () => ({ delayMs: 60 });
    const first = patch(4);
    await vi.advanceTimersByTimeAsync(29);
    expect(sentAt(8)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentAt(8)).toHaveLength(1);
    expect(sentAt(4)[0]?.answered).toBe(false);
    await answerOf(first.promise);
    // tus-js-client asks for 8: it is adopted, and 12 leaves half a chunk's time after it.
    const second = patch(8);
    await vi.advanceTimersByTimeAsync(0);
    expect(sentAt(8)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30);
    expect(sentAt(12)).toHaveLength(1);
    await answerOf(second.promise);
  });

  it('answers tus-js-client’s PATCH with the chunk sent ahead, and sends the next at once, up to the end', async () => {
    await createWithChunk();
    inner.reply = () => ({ delayMs: 300 });
    const first = patch(4);
    expect((await answerOf(first.promise)).getStatus()).toBe(204);
    // The chunk at 8 is on its way; tus-js-client asks for it.
    expect(sentAt(8)).toHaveLength(1);
    const sentBefore = inner.sent.length;
    const second = patch(8);
    await vi.advanceTimersByTimeAsync(0);
    // Not sent again; the one at 12 leaves at once (no first-chunk delay), before 8's answer.
    expect(inner.sent.length).toBe(sentBefore + 1);
    expect(inner.log.at(-1)).toEqual(['PATCH', 12]);
    expect(sentAt(8)[0]?.answered).toBe(false);
    expect(await sentAt(12)[0]?.text).toBe('mnop');

    const answer = await answerOf(second.promise);
    // The very answer to the chunk sent ahead, and the progress tus-js-client expects.
    expect(answer).toBe(sentAt(8)[0]?.response);
    expect(answer.getHeader('Upload-Offset')).toBe('12');
    expect(second.progress).toEqual([CHUNK]);

    for (const offset of [12, 16]) {
      const next = patch(offset);
      expect((await answerOf(next.promise)).getHeader('Upload-Offset')).toBe(String(offset + CHUNK));
      expect(next.progress).toEqual([CHUNK]);
    }
    // The last chunk was sent ahead too, and nothing past the end.
    const last = patch(20);
    expect((await answerOf(last.promise)).getHeader('Upload-Offset')).toBe('24');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(inner.log).toEqual([
      ['POST', null],
      ['PATCH', 4],
      ['PATCH', 8],
      ['PATCH', 12],
      ['PATCH', 16],
      ['PATCH', 20],
    ]);
    expect(inner.sent.some((s) => s.aborted)).toBe(false);
    const texts = await Promise.all(inner.sent.slice(1).map((s) => s.text));
    expect(texts).toEqual(['efgh', 'ijkl', 'mnop', 'qrst', 'uvwx']);
  });

  it('takes a short last chunk sent ahead as well (same size as asked)', async () => {
    const odd = new Blob([CONTENT.slice(0, 10)]);
    stack = new PipeliningHttpStack(inner, odd, CHUNK);
    await createWithChunk();
    inner.reply = () => ({ delayMs: 300 });
    await answerOf(patch(4).promise);
    expect(await sentAt(8)[0]?.text).toBe('ij');
    const { request, progress } = make('PATCH', URL_1, 8);
    const answer = await answerOf(request.send(odd.slice(8, 12)));
    expect(answer).toBe(sentAt(8)[0]?.response);
    expect(progress).toEqual([2]);
    expect(sentAt(8)).toHaveLength(1);
  });

  it.each([
    ['got a non-2xx answer', { status: 409, delayMs: 50 }],
    ['failed', { error: new TypeError('Failed to fetch'), delayMs: 50 }],
  ])('sends tus-js-client’s PATCH normally when the chunk sent ahead %s', async (_name, failure: Reply) => {
    await createWithChunk();
    inner.reply = (sent) => (sent.offset === 8 && sentAt(8).length === 1 ? failure : { delayMs: 300 });
    await answerOf(patch(4).promise);
    expect(sentAt(8)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(sentAt(8)[0]?.answered).toBe(true);

    const second = patch(8);
    const answer = await answerOf(second.promise);
    // tus-js-client sees the answer to its own request, not the failure.
    expect(answer.getStatus()).toBe(204);
    expect(sentAt(8)).toHaveLength(2);
    expect(answer).toBe(sentAt(8)[1]?.response);
    // The chunk at 12 sent ahead of the failed one was dropped; one follows the resent request.
    const at12 = sentAt(12);
    expect(at12.filter((s) => !s.aborted)).toHaveLength(1);
    expect(at12.filter((s) => !s.aborted)[0]?.sentAt).toBeGreaterThanOrEqual(
      (sentAt(8)[1]?.sentAt ?? 0) + PIPELINE_FIRST_DELAY_MS,
    );
  });

  it.each([
    ['a HEAD', () => make('HEAD', URL_1).request.send(null)],
    ['a PATCH at another offset', () => patch(4).promise],
    ['a PATCH to another upload', () => patch(8, CHUNK, `${ENDPOINT}/2`).promise],
    ['a PATCH of another size', () => patch(8, 2).promise],
  ])('aborts the chunk sent ahead when tus-js-client sends %s', async (_name, other) => {
    await createWithChunk();
    inner.reply = () => ({ delayMs: 300 });
    await answerOf(patch(4).promise);
    const ahead = sentAt(8)[0];
    expect(ahead?.aborted).toBe(false);
    const count = inner.sent.length;

    await answerOf(other());
    expect(ahead?.aborted).toBe(true);
    // tus-js-client's request itself went out.
    expect(inner.sent.length).toBeGreaterThan(count);
  });

  it('aborts the chunk sent ahead on cancelAhead(), and never sends one still waiting to leave', async () => {
    await createWithChunk(2 * PIPELINE_FIRST_DELAY_MS);
    inner.reply = () => ({ delayMs: 300 });
    const first = patch(4);
    await answerOf(first.promise);
    const ahead = sentAt(8)[0];
    stack.cancelAhead();
    expect(ahead?.aborted).toBe(true);
    expect(inner.created.find((r) => r.sent === ahead)?.abortCalls).toBe(1);

    // Before its delay is over: it never leaves.
    await createWithChunk(2 * PIPELINE_FIRST_DELAY_MS);
    const again = patch(4);
    await vi.advanceTimersByTimeAsync(PIPELINE_FIRST_DELAY_MS / 2);
    stack.cancelAhead();
    await answerOf(again.promise);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sentAt(8)).toHaveLength(1);
  });

  it('aborts the chunk sent ahead when tus-js-client aborts its request', async () => {
    await createWithChunk();
    inner.reply = () => ({ delayMs: 300 });
    const first = patch(4);
    await vi.advanceTimersByTimeAsync(PIPELINE_FIRST_DELAY_MS);
    const ahead = sentAt(8)[0];
    expect(ahead?.aborted).toBe(false);
    await first.request.abort();
    expect(ahead?.aborted).toBe(true);
    expect(sentAt(4)[0]?.aborted).toBe(true);
    await expect(first.promise).rejects.toThrow('aborted');
  });

  it('cancels the chunk sent ahead on a non-2xx answer to the real request, and stops sending ahead', async () => {
    await createWithChunk();
    inner.reply = (sent) => (sent.offset === 4 ? { status: 409, delayMs: 300 } : { delayMs: 300 });
    const first = patch(4);
    await vi.advanceTimersByTimeAsync(PIPELINE_FIRST_DELAY_MS);
    const ahead = sentAt(8)[0];
    expect(ahead?.aborted).toBe(false);

    // tus-js-client sees the failure of its own request.
    expect((await answerOf(first.promise)).getStatus()).toBe(409);
    expect(ahead?.aborted).toBe(true);

    // The next PATCH goes alone: the failure forgot the link's speed.
    inner.reply = () => ({ delayMs: 300 });
    await answerOf(patch(4).promise);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sentAt(8)).toHaveLength(1);
  });

  it('cancels the chunk sent ahead when the real request throws, and passes the error on', async () => {
    await createWithChunk();
    const dropped = new TypeError('Failed to fetch');
    inner.reply = (sent) => (sent.offset === 4 ? { error: dropped, delayMs: 300 } : { delayMs: 300 });
    const first = patch(4);
    await vi.advanceTimersByTimeAsync(PIPELINE_FIRST_DELAY_MS);
    const ahead = sentAt(8)[0];
    expect(ahead?.aborted).toBe(false);

    await expect(answerOf(first.promise)).rejects.toBe(dropped);
    expect(ahead?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(inner.sent.filter((s) => !s.aborted && s.offset === 8)).toEqual([]);
  });

  it('stops sending ahead after a chunk that took PIPELINE_FAST_MS or more', async () => {
    await createWithChunk(PIPELINE_FAST_MS);
    inner.reply = () => ({ delayMs: 300 });
    await answerOf(patch(4).promise);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(inner.log).toEqual([
      ['POST', null],
      ['PATCH', 4],
    ]);

    // Fast again (300 ms): sending ahead resumes. The chunk at 12 is slow.
    inner.reply = (sent) => ({ delayMs: sent.offset === 12 ? PIPELINE_FAST_MS + 500 : 300 });
    await answerOf(patch(8).promise);
    expect(sentAt(12)).toHaveLength(1);
    const slow = patch(12);
    await vi.advanceTimersByTimeAsync(0);
    // 16 leaves at once, as the link was fast when 12 was asked for.
    expect(sentAt(16)).toHaveLength(1);
    await answerOf(slow.promise);
    // 16 is used, but once 12 took too long nothing goes ahead of it.
    const next = patch(16);
    await vi.advanceTimersByTimeAsync(0);
    expect(sentAt(16)).toHaveLength(1);
    await answerOf(next.promise);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sentAt(20)).toHaveLength(0);
    await answerOf(patch(20).promise);
    expect(sentAt(20)).toHaveLength(1);
  });

  // On a link faster than PIPELINE_FIRST_DELAY_MS (a fast LAN: 8 MiB in < 100 ms), tus-js-client asks
  // for the next chunk before the one sent ahead has left: it must leave then, before the chunk
  // after it (an earlier version sent that one first, out of order, and never pipelined here).
  it('never sends a chunk before the one tus-js-client asked for, on a link faster than the first delay', async () => {
    await createWithChunk();
    inner.reply = () => ({ delayMs: PIPELINE_FIRST_DELAY_MS / 2 });
    for (const offset of [4, 8, 12, 16, 20]) await answerOf(patch(offset).promise);
    await vi.advanceTimersByTimeAsync(1_000);
    // Each chunk once, in order, none aborted (the POST first).
    expect(inner.sent.map((s) => [s.offset, s.aborted])).toEqual([
      [null, false],
      [4, false],
      [8, false],
      [12, false],
      [16, false],
      [20, false],
    ]);
  });
});

describe('uploadBlob with pipelining', () => {
  async function sha256Hex(blob: Blob): Promise<string> {
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  it('sends a PATCH before the answer to the one before, and the server gets the right bytes', async () => {
    const server = new FakeServer();
    const bytes = new Uint8Array(22).map((_, i) => (i * 37 + 11) % 256);
    const blob = new Blob([bytes]);
    const sha256 = await sha256Hex(blob);
    /** "send PATCH <offset>" / "answer PATCH <offset> <status>", in the order they happened. */
    const events: string[] = [];
    // The server takes each request as it arrives; its answer takes 150 ms to come back, a
    // fast link's round trip (under PIPELINE_FAST_MS, over PIPELINE_FIRST_DELAY_MS).
    const slowAnswers: FetchFn = async (input, init = {}) => {
      const what = `${init.method ?? 'GET'} ${new Headers(init.headers).get('Upload-Offset') ?? ''}`.trim();
      events.push(`send ${what}`);
      const response = await server.fetch(input, init);
      await new Promise((resolve) => setTimeout(resolve, 150));
      events.push(`answer ${what} ${response.status}`);
      return response;
    };
    const sessions: { url: string; offset: number }[] = [];

    const result = await uploadBlob({
      blob,
      metadata: { filename: 'photo.jpg', type: 'image/jpeg', sha256, sourceSha256: sha256 },
      session: null,
      endpoint: `${ORIGIN}/api/uploads`,
      saveSession: (session) => {
        sessions.push(session);
        return Promise.resolve();
      },
      fetch: slowAnswers,
      chunkSize: 4,
    });

    expect(result).toEqual({
      kind: 'uploaded',
      assetId: expect.stringMatching(/^asset-/) as unknown,
      outcome: 'created',
    });
    expect([...server.assets.values()][0]).toMatchObject({ sha256, bytes: 22 });
    // Each chunk went once, in order, and was taken.
    expect(server.requests.map((r) => [r.method, r.bytes])).toEqual([
      ['POST', 4],
      ['PATCH', 4],
      ['PATCH', 4],
      ['PATCH', 4],
      ['PATCH', 4],
      ['PATCH', 2],
    ]);
    expect(events.filter((e) => e.startsWith('answer')).every((e) => /20[14]$/.test(e))).toBe(true);
    expect(sessions.at(-1)).toEqual({ url: `${ORIGIN}/api/uploads/1`, offset: 22 });
    // Pipelining happened: some PATCH left before the answer to the PATCH before it.
    const overlapped = [8, 12, 16, 20].filter(
      (offset) => events.indexOf(`send PATCH ${offset}`) < events.indexOf(`answer PATCH ${offset - 4} 204`),
    );
    expect(overlapped.length).toBeGreaterThan(0);
  });
});
