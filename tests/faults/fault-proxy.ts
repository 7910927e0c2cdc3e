/**
 * A loopback HTTP proxy that plays a flaky network between Chromium and the server (issue 18, the
 * fault suite): it cuts connections while a request's body is on its way, drops answers the server
 * already gave (the server did the work; the client never hears of it), and flips a byte in upload
 * bodies. While the server is down (killed by the test) a connection is reset, as a dead host's
 * would be. It listens on 127.0.0.1 only and forwards to 127.0.0.1 only.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

export type Fault = 'cut-request' | 'cut-answer' | 'flip';

export interface FaultPlan {
  /** Chance that a request under /api/ gets a fault, when the one before it got none. */
  probability: number;
  /** Faults stop once each count is reached; the test then waits for the queue to drain. */
  wanted: { cuts: number; flips: number };
  /** Upload bodies share this rate, so that the faults land while there is work in flight. */
  bytesPerSecond: number;
}

export interface ProxyStats {
  requests: number;
  cutRequests: number;
  cutAnswers: number;
  flipped: number;
  /** Connections reset because the server was not there (killed, restarting). */
  refused: number;
  /** Every status the server answered, whether or not the client got it. */
  serverStatuses: number[];
  /** Method and path of each request the server answered with a 5xx. */
  serverErrors: string[];
}

export interface FaultProxy {
  url: string;
  stats: ProxyStats;
  /** Starts (true) or stops injecting faults; off at first, so that the test can set up. */
  inject(on: boolean): void;
  /** Whether the faults wanted have all been injected. */
  done(): boolean;
  close(): Promise<void>;
}

/** Uploads' bytes: tus PATCH and creation-with-upload bodies. */
function carriesUploadBytes(request: IncomingMessage): boolean {
  return (
    request.headers['content-type'] === 'application/offset+octet-stream' &&
    Number(request.headers['content-length'] ?? 0) > 0
  );
}

/** Passes a body on, flipping one bit of the byte at `at` (flip) or stopping after `at` bytes (cut). */
class BodyFault extends Transform {
  private seen = 0;

  constructor(
    private readonly fault: 'flip' | 'cut-request',
    private readonly at: number,
    private readonly onCut: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const start = this.seen;
    this.seen += chunk.length;
    if (this.at < start || this.at >= this.seen) {
      callback(null, chunk);
      return;
    }
    if (this.fault === 'flip') {
      const copy = Buffer.from(chunk);
      copy[this.at - start] = (copy[this.at - start] ?? 0) ^ 0x10;
      callback(null, copy);
      return;
    }
    this.push(chunk.subarray(0, this.at - start));
    callback();
    this.onCut();
  }
}

/** Holds bodies to a rate shared by every connection through it (one link). */
class Link {
  private free = 0;

  constructor(private readonly bytesPerSecond: number) {}

  /** Milliseconds until `bytes` more may pass. */
  delayFor(bytes: number): number {
    const now = Date.now();
    this.free = Math.max(this.free, now) + (bytes * 1000) / this.bytesPerSecond;
    return this.free - now;
  }
}

class Throttle extends Transform {
  constructor(private readonly link: Link) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    setTimeout(() => callback(null, chunk), this.link.delayFor(chunk.length));
  }
}

export async function startFaultProxy(
  targetPort: number,
  plan: FaultPlan,
  random: () => number,
): Promise<FaultProxy> {
  const stats: ProxyStats = {
    requests: 0,
    cutRequests: 0,
    cutAnswers: 0,
    flipped: 0,
    refused: 0,
    serverStatuses: [],
    serverErrors: [],
  };
  let injecting = false;
  let lastFaulted = false;
  const link = new Link(plan.bytesPerSecond);
  const cuts = (): number => stats.cutRequests + stats.cutAnswers;
  const done = (): boolean => cuts() >= plan.wanted.cuts && stats.flipped >= plan.wanted.flips;

  function chooseFault(request: IncomingMessage): Fault | null {
    if (!injecting || done() || !(request.url ?? '').startsWith('/api/')) return null;
    // Never two in a row: each fault is followed by a request that gets through, so retries make
    // progress and the backoff stays short (the suite tests what the faults do, not the backoff).
    if (lastFaulted || random() >= plan.probability) {
      lastFaulted = false;
      return null;
    }
    lastFaulted = true;
    const bytes = carriesUploadBytes(request);
    const flipsLeft = stats.flipped < plan.wanted.flips;
    const cutsLeft = cuts() < plan.wanted.cuts;
    if (bytes && flipsLeft && (!cutsLeft || random() < 0.3)) return 'flip';
    if (!cutsLeft) {
      lastFaulted = false;
      return null;
    }
    return random() < 0.5 ? 'cut-request' : 'cut-answer';
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    stats.requests += 1;
    const fault = chooseFault(request);
    const length = Number(request.headers['content-length'] ?? 0);
    const headers = { ...request.headers };
    delete headers.connection;
    const upstream = httpRequest({
      host: '127.0.0.1',
      port: targetPort,
      method: request.method,
      path: request.url,
      headers,
      agent: false,
    });
    const reset = (): void => {
      upstream.destroy();
      request.socket.destroy();
    };
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') stats.refused += 1;
      request.socket.destroy();
    });
    request.on('close', () => {
      if (!request.complete) upstream.destroy();
    });
    upstream.on('response', (answer) => {
      const status = answer.statusCode ?? 0;
      stats.serverStatuses.push(status);
      if (status >= 500) stats.serverErrors.push(`${request.method} ${request.url} → ${status}`);
      if (fault === 'cut-answer') {
        stats.cutAnswers += 1;
        answer.resume();
        reset();
        return;
      }
      response.writeHead(status, answer.headers);
      answer.once('error', () => request.socket.destroy());
      answer.pipe(response);
    });

    if (fault === 'cut-request' && length === 0) {
      // Nothing to cut mid-way: the connection goes before the request reaches the server.
      stats.cutRequests += 1;
      reset();
      return;
    }
    const body = carriesUploadBytes(request) ? request.pipe(new Throttle(link)) : request;
    if ((fault === 'flip' || fault === 'cut-request') && length > 0) {
      const at = Math.floor(random() * length);
      const faulty = new BodyFault(fault, at, () => {
        stats.cutRequests += 1;
        reset();
      });
      if (fault === 'flip') stats.flipped += 1;
      body.pipe(faulty).pipe(upstream);
      return;
    }
    body.pipe(upstream);
  }

  const server = createServer(handle);
  // Keep-alive sockets from Chromium would hold close() open.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    inject: (on) => {
      injecting = on;
    },
    done,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
