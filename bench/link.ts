/**
 * A network link on loopback, for benches that measure what people on a real link see (issue 13):
 * an HTTP proxy in front of a server that paces the bytes each way at the link's rate and delays
 * them by half its round trip. Both directions are shared by every connection through the link,
 * as a phone's uplink is shared by all its requests. A new connection costs one round trip more
 * (TCP's handshake) before its first request; TCP's congestion window is not modelled (on a warm
 * connection it is open), nor is loss.
 *
 * The sender may run ahead of the link by one round trip's worth of bytes (the bottleneck's
 * buffer, as a router keeps one); beyond that the proxy stops reading (back pressure), so an
 * upload's progress in the browser follows the link, not the loopback.
 *
 * A gate can hold requests under a path to `n` at once, in their order of arrival: a held request
 * goes out when the answer to one before it has reached the browser, as a client that sends one
 * request at a time would send it. It shapes the link, not the app.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

export interface LinkProfile {
  name: string;
  megabitsPerSecond: number;
  roundTripMs: number;
}

/** The profiles issue 13 names: a phone on cellular, a home connection, a local network. */
export const LINK_PROFILES: readonly LinkProfile[] = [
  { name: 'phone', megabitsPerSecond: 20, roundTripMs: 60 },
  { name: 'home', megabitsPerSecond: 200, roundTripMs: 20 },
  { name: 'LAN', megabitsPerSecond: 1000, roundTripMs: 1 },
];

export function linkProfile(name: string): LinkProfile {
  const profile = LINK_PROFILES.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  if (profile === undefined) {
    throw new Error(
      `No link profile named ${name}; there are: ${LINK_PROFILES.map((p) => p.name).join(', ')}`,
    );
  }
  return profile;
}

export const bytesPerSecond = (profile: LinkProfile): number => (profile.megabitsPerSecond * 1e6) / 8;

export const describeProfile = (profile: LinkProfile): string =>
  `${profile.name} (${profile.megabitsPerSecond} Mbit/s, ${profile.roundTripMs} ms round trip)`;

/** One direction of the link: bytes leave one after another at its rate, whoever sends them. */
class Direction {
  private freeAt = 0;

  constructor(private readonly link: Link) {}

  /**
   * When `bytes` handed to the link now arrive at the far end (performance.now() time), and when
   * they leave the near one; both now when the link is not shaped (while a bench sets up).
   */
  send(bytes: number, extraMs = 0): { leaves: number; arrives: number } {
    const now = performance.now();
    const profile = this.link.profile;
    if (profile === null) return { leaves: now, arrives: now };
    const start = Math.max(now, this.freeAt);
    this.freeAt = start + (bytes * 1000) / bytesPerSecond(profile);
    return { leaves: this.freeAt, arrives: this.freeAt + profile.roundTripMs / 2 + extraMs };
  }

  /** How far the sender may run ahead of the link, in ms of the link's time. */
  bufferMs(): number {
    return Math.max(5, this.link.profile?.roundTripMs ?? 0);
  }
}

const at = (time: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, time - performance.now())));

/** A body crossing one direction: each chunk comes out when it arrives at the far end, in order. */
class Crossing extends Transform {
  private readonly due: { arrives: number; chunk: Buffer }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushed: TransformCallback | null = null;

  constructor(private readonly direction: Direction) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const { leaves, arrives } = this.direction.send(chunk.length);
    this.due.push({ arrives, chunk });
    this.schedule();
    // Back pressure: the next chunk is read once this one is within the buffer of leaving.
    const wait = leaves - performance.now() - this.direction.bufferMs();
    if (wait > 0) setTimeout(callback, wait);
    else callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.due.length === 0) callback();
    else this.flushed = callback;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const next = this.due[0];
    if (next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        const now = performance.now();
        while (this.due.length > 0 && (this.due[0]?.arrives ?? 0) <= now + 0.5) {
          this.push(this.due.shift()?.chunk);
        }
        if (this.due.length > 0) this.schedule();
        else if (this.flushed !== null) {
          const done = this.flushed;
          this.flushed = null;
          done();
        }
      },
      Math.max(0, next.arrives - performance.now()),
    );
  }
}

/** Requests under a path, at most `limit` at once, the others waiting in turn. */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly pathPrefix: string,
    readonly limit: number,
  ) {}

  async enter(): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  leave(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.running -= 1;
    else next();
  }
}

/** A rough size of a message's head on the wire: a request or status line and its headers. */
function headBytes(headers: IncomingMessage['rawHeaders']): number {
  return 32 + headers.reduce((sum, part) => sum + part.length + 2, 0);
}

/** Hop-by-hop headers, which each side of the proxy sets for itself (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function endToEnd(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/** The link: unshaped until a profile is set, so a bench sets up at loopback speed. */
export class Link {
  profile: LinkProfile | null = null;
  /** Browser to server, and back. */
  readonly up = new Direction(this);
  readonly down = new Direction(this);
  gate: Gate | null = null;

  /** Holds requests under `pathPrefix` to `limit` at once from now on; null lifts the gate. */
  setGate(gate: { pathPrefix: string; limit: number } | null): void {
    this.gate = gate === null ? null : new Gate(gate.pathPrefix, gate.limit);
  }
}

export interface LinkProxy {
  /** The proxy's origin, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  close: () => Promise<void>;
}

/**
 * An HTTP proxy on loopback that passes every request to `target` (an origin) through `link`, or
 * to `also.target` for paths under `also.pathPrefix` (a sink beside the app, on the app's origin,
 * so that the page reaches it without CORS and within its Content-Security-Policy). The Host
 * header goes through unchanged, so the server sees the proxy's origin as its own (the app is
 * loaded from the proxy, and its same-origin checks hold).
 */
export async function startLinkProxy(
  link: Link,
  target: string,
  also?: { pathPrefix: string; target: string },
): Promise<LinkProxy> {
  const upstreamOf = (path: string): URL =>
    new URL(also !== undefined && path.startsWith(also.pathPrefix) ? also.target : target);
  const agent = new Agent({ keepAlive: true });
  const used = new WeakSet<Socket>();
  const server: Server = createServer((request, response) => {
    void (async () => {
      // A connection's first request waits for the handshake: one round trip more.
      const handshake = used.has(request.socket) ? 0 : (link.profile?.roundTripMs ?? 0);
      used.add(request.socket);
      const gate = link.gate;
      const gated = gate !== null && (request.url ?? '').startsWith(gate.pathPrefix);
      if (gated) {
        request.pause();
        await gate.enter();
        response.once('close', () => gate.leave());
      }
      const upstream = upstreamOf(request.url ?? '/');
      const { arrives } = link.up.send(headBytes(request.rawHeaders), handshake);
      const body = request.pipe(new Crossing(link.up));
      await at(arrives);
      const forward = httpRequest(
        {
          agent,
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: endToEnd(request.headers),
        },
        (answer) => {
          // The body starts across right behind the head, not once the head has arrived.
          const head = link.down.send(headBytes(answer.rawHeaders));
          const body = answer.pipe(new Crossing(link.down));
          void at(head.arrives).then(() => {
            response.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
            body.pipe(response);
          });
        },
      );
      forward.on('error', (error) => {
        if (response.headersSent) response.destroy(error);
        else response.writeHead(502).end(error.message);
      });
      request.on('aborted', () => forward.destroy());
      body.pipe(forward);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        agent.destroy();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
