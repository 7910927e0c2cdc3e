import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { bindPrincipal } from './request-principal';
import { TUS_ROUTES } from './route-schemas';
import { fromTusResponse } from './tus-errors';
import { createTusUploads } from './tus-server';

/** A request's body as tus reads it, and what to do with the bytes tus did not read. */
interface RequestBody {
  stream: ReadableStream<Uint8Array>;
  /**
   * Reads and drops what is left of the body, as Node does with a body nobody reads: an answer
   * given before the body was read (a refusal, a wrong offset) otherwise leaves the rest waiting
   * in the socket, and the client, still sending, never gets to its next request on it.
   */
  discardRest: () => void;
}

/**
 * The request body as a Web stream, as `Readable.toWeb` makes it but without copying: toWeb
 * clones every chunk (so that a byte stream could transfer it), which for a 512 MB upload is
 * 512 MB of copies and the garbage collection behind them, on the thread that also hashes and
 * writes. The chunks are the socket's own buffers, never reused, and this stream is not a byte
 * stream, so nothing can detach them. As toWeb does, the body is paused while the stream's queue
 * is full, and a request that ends early (the client went away) errors the stream.
 */
function bodyStream(raw: IncomingMessage): RequestBody {
  let discarding = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        raw.on('data', (chunk: Buffer) => {
          if (discarding) return;
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) raw.pause();
        });
        finished(raw, (error) => {
          if (discarding) return;
          if (error !== undefined && error !== null) controller.error(error);
          // Cancelled meanwhile (tus stopped reading), in which case there is nothing to close.
          else if (controller.desiredSize !== null) controller.close();
        });
      },
      pull() {
        raw.resume();
      },
      cancel(reason) {
        raw.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    // Up to 1 MiB buffered before the socket is paused (the chunks are the socket's reads).
    new ByteLengthQueuingStrategy({ highWaterMark: 1024 * 1024 }),
  );
  return {
    stream,
    discardRest: () => {
      if (raw.readableEnded || raw.destroyed) return;
      discarding = true;
      raw.resume();
    },
  };
}

/** The fastify request as the Web `Request` that @tus/server 2 handles, its body left unread. */
function toWebRequest(request: FastifyRequest): { webRequest: Request; body: RequestBody | null } {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.raw.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const url = new URL(request.url, `${request.protocol}://${request.host || 'localhost'}`);
  const body = request.method !== 'GET' && request.method !== 'HEAD' ? bodyStream(request.raw) : null;
  // A streamed request body needs `duplex: 'half'` (Fetch standard), which the DOM typings lack.
  const init: RequestInit & { duplex: 'half' } = {
    method: request.method,
    headers,
    body: body?.stream ?? null,
    duplex: 'half',
  };
  return { webRequest: new Request(url, init), body };
}

/**
 * Sends tus's Web `Response` through fastify. Every error body becomes the catalogue's JSON,
 * including the plain-text ones tus writes without consulting onResponseError (412, invalid
 * headers).
 */
async function sendWebResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  for (const [name, value] of response.headers) {
    if (name !== 'content-length' && name !== 'content-type') void reply.header(name, value);
  }
  if (response.status >= 400) {
    const error = fromTusResponse(response.status, await response.text());
    return reply.code(error.status).type('application/json; charset=utf-8').send(error.body);
  }
  const body = await response.text();
  return reply.code(response.status).send(body === '' ? undefined : body);
}

export const SWEEP_UPLOADS_JOB = 'sweep-uploads';
const SWEEP_UPLOADS_EVERY_MS = 60 * 60 * 1000;
/**
 * How long an unfinished upload waits for its next byte before it is deleted. Most are resumed
 * within minutes; what stays was abandoned (a creation whose answer never reached the client,
 * which then started again; an item removed mid-upload). A client that comes back later finds
 * its upload gone (404) and starts it again from its own queue, so nothing is lost.
 */
export const UNFINISHED_UPLOAD_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Mounts tus at /api/uploads (all tus methods, and /api/uploads/:id). The routes sit in their own
 * scope whose only content-type parser passes every body through untouched: tus reads the raw
 * stream itself (see @tus/server's fastify example).
 */
export async function registerUploadRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { server, sweep } = await createTusUploads(ctx, app.log);
  app.jobs.register(
    SWEEP_UPLOADS_JOB,
    {
      async run() {
        const removed = await sweep(new Date(ctx.now().getTime() - UNFINISHED_UPLOAD_KEEP_MS));
        if (removed > 0) app.log.info({ removed }, 'deleted unfinished uploads left for a week');
      },
    },
    { everyMs: SWEEP_UPLOADS_EVERY_MS },
  );
  await app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const { webRequest, body } = toWebRequest(request);
      bindPrincipal(webRequest, principalOf(request));
      let response: Response;
      try {
        response = await server.handleWeb(webRequest);
      } finally {
        body?.discardRest();
      }
      return sendWebResponse(reply, response);
    };
    for (const route of TUS_ROUTES) scope.route({ ...route, handler });
    done();
  });
}
