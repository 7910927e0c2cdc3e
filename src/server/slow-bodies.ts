import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';

export interface BodyRate {
  /** How often the progress of a body is looked at. */
  windowMs: number;
  /** The bytes a body must bring in each window, unless the server itself stopped reading. */
  minBytes: number;
}

/**
 * 16 KiB per 30 s, about 550 bytes a second: far below the slowest mobile link that uploads a
 * photo at all (GPRS brings ~5 KB/s), far above a trickle meant to hold a connection open. A
 * body that stalls is cut; a tus client resumes from the offset the server has.
 */
export const DEFAULT_BODY_RATE: BodyRate = { windowMs: 30_000, minBytes: 16 * 1024 };

/** Whether the request's body is still arriving. */
function receiving(raw: IncomingMessage): boolean {
  return !raw.complete && !raw.destroyed && !raw.socket.destroyed;
}

/**
 * Cuts request bodies that arrive too slowly (issue 18, finding 8: 1,000 connections trickling a
 * byte every 10 s all stayed open, since fastify sets no request timeout and a tus PATCH of a
 * large chunk may rightly take many minutes on a slow link). Headers are Node's own
 * `headersTimeout`. Progress is the socket's bytesRead, so nothing here reads the body; a window
 * in which the server paused the body itself (its disk is slow) does not count against the
 * client.
 */
export function registerBodyRate(app: FastifyInstance, rate: BodyRate = DEFAULT_BODY_RATE): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const raw = request.raw;
    const hasBody =
      raw.headers['content-length'] !== undefined || raw.headers['transfer-encoding'] !== undefined;
    // Only a body on a network connection can trickle; an injected request (tests, benches) has
    // no socket to read progress from.
    if (!hasBody || !(raw.socket instanceof Socket) || !receiving(raw)) {
      done();
      return;
    }
    const socket = raw.socket;
    let last = socket.bytesRead;
    const timer = setInterval(() => {
      if (!receiving(raw)) {
        clearInterval(timer);
        return;
      }
      const read = socket.bytesRead;
      const serverPaused = raw.readableFlowing === false || socket.isPaused();
      if (read - last < rate.minBytes && !serverPaused) {
        clearInterval(timer);
        request.log.info({ bytes: read - last, windowMs: rate.windowMs }, 'request body too slow; closing');
        socket.destroy();
        return;
      }
      last = read;
    }, rate.windowMs);
    timer.unref();
    raw.once('close', () => clearInterval(timer));
    done();
  });
}
