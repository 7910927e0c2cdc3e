import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyCorsOptions } from '@fastify/cors';
import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream';
import { TUS_RESUMABLE } from '@tus/server';
import type { Principal } from '../auth/principal';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { CHECKSUM_ALGORITHMS, parseUploadChecksum, verifyBody } from './checksum';
import { findFinish, pruneFinished, type FinishedUpload } from './finished';
import { largestUpload } from './limits';
import { bindPrincipal } from './request-principal';
import { TUS_ROUTES } from './route-schemas';
import { fromTusResponse } from './tus-errors';
import { assetHeaders, createTusUploads, FINISHED_UPLOAD_KEEP_MS, type TusUploads } from './tus-server';
import { uploadOwner } from './upload-id';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route's own @fastify/cors options, which it reads from here (`routeOptions.config.cors`) though its typings omit it. */
    cors?: Partial<FastifyCorsOptions>;
  }
}

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
function toWebRequest(
  request: FastifyRequest,
  method: string,
  verified: ReadableStream<Uint8Array> | null,
): { webRequest: Request; body: RequestBody | null } {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.raw.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const url = new URL(request.url, `${request.protocol}://${request.host || 'localhost'}`);
  headers.delete('x-http-method-override');
  const hasBody = method !== 'GET' && method !== 'HEAD' && verified === null;
  const body = hasBody ? bodyStream(request.raw) : null;
  // A streamed request body needs `duplex: 'half'` (Fetch standard), which the DOM typings lack.
  const init: RequestInit & { duplex: 'half' } = {
    method,
    headers,
    body: verified ?? body?.stream ?? null,
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
    if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', error.retryAfterSeconds);
    return reply.code(error.status).type('application/json; charset=utf-8').send(error.body);
  }
  const body = await response.text();
  return reply.code(response.status).send(body === '' ? undefined : body);
}

/**
 * The request's tus method. "The X-HTTP-Method-Override request header MUST be a string which MUST
 * be interpreted as the request's method by the Server, if the header is presented" (tus 1.0.0,
 * for environments that only send GET and POST).
 */
function tusMethod(request: FastifyRequest): string {
  const override = request.headers['x-http-method-override'];
  if (typeof override !== 'string' || request.method !== 'POST') return request.method;
  const method = override.trim().toUpperCase();
  if (!['PATCH', 'HEAD', 'DELETE', 'POST'].includes(method)) {
    throw new ApiError('BAD_REQUEST', `X-HTTP-Method-Override names ${override}, which is not a tus method.`);
  }
  return method;
}

/**
 * What tus itself answers differently from tus 1.0.0: "If the version specified by the Client is
 * not supported by the Server, it MUST respond with the 412 Precondition Failed status" (tus
 * answers 400), and "All PATCH requests MUST use Content-Type: application/offset+octet-stream,
 * otherwise the server SHOULD return a 415 Unsupported Media Type status" (tus answers 400).
 */
function checkProtocol(request: FastifyRequest, method: string): void {
  const version = request.headers['tus-resumable'];
  if (method !== 'OPTIONS' && typeof version === 'string' && version !== TUS_RESUMABLE) {
    throw new ApiError('TUS_VERSION_UNSUPPORTED');
  }
  const type = request.headers['content-type'];
  if (method === 'PATCH' && type !== undefined && type !== 'application/offset+octet-stream') {
    throw new ApiError('UNSUPPORTED_TYPE', 'A PATCH carries its bytes as application/offset+octet-stream.');
  }
}

export const EXPIRE_UPLOADS_JOB = 'expire-uploads';
const EXPIRE_UPLOADS_EVERY_MS = 60 * 60 * 1000;

/** The upload id of a tus URL, or null for the endpoint itself. */
function uploadIdOf(request: FastifyRequest): string | null {
  const { uploadId } = request.params as { uploadId?: string };
  return uploadId ?? null;
}

/**
 * What a HEAD or PATCH for a finished upload is answered from: its record, which outlives the
 * upload's file (finished.ts). Waits for a request that is storing it right now. Null when the
 * upload is not finished (tus answers), or is not the caller's.
 */
async function finishedUpload(
  ctx: AppContext,
  uploads: TusUploads,
  uploadId: string,
  principal: Principal,
): Promise<FinishedUpload | null> {
  if (uploadOwner(uploadId) !== principal.user.id) return null;
  const found = await findFinish(ctx.db, uploadId);
  if (found === null) return null;
  return found.state === 'finished' ? found.upload : uploads.waitForFinish(uploadId);
}

/**
 * tus 1.0.0 HEAD: "The Server MUST always include the Upload-Offset header in the response for a
 * HEAD request ... If the size of the upload is known, the Server MUST include the Upload-Length
 * header ... If an upload contains additional metadata, responses to HEAD requests MUST include
 * the Upload-Metadata header ... The Server MUST prevent the client and/or proxies from caching
 * the response by adding the Cache-Control: no-store header." For a finished upload the offset
 * is its length: a client whose final answer was lost learns that it is done (issue 13).
 */
function answerFinishedHead(reply: FastifyReply, upload: FinishedUpload): FastifyReply {
  void reply.headers({
    'cache-control': 'no-store',
    'upload-offset': String(upload.length),
    'upload-length': String(upload.length),
    ...(upload.metadata === null ? {} : { 'upload-metadata': upload.metadata }),
    ...assetHeaders(upload),
  });
  return reply.code(200).send();
}

/**
 * A PATCH for a finished upload: at its end, nothing more to take, and the answer a successful
 * PATCH would have had; anywhere else, "If the offsets do not match, the Server MUST respond
 * with the 409 Conflict status without modifying the upload resource."
 */
function answerFinishedPatch(
  request: FastifyRequest,
  reply: FastifyReply,
  upload: FinishedUpload,
): FastifyReply {
  // Nothing of the body is wanted; it is read and dropped so the connection carries the next request.
  request.raw.resume();
  if (request.headers['upload-offset'] !== String(upload.length)) throw new ApiError('UPLOAD_CONFLICT');
  void reply.headers({ 'upload-offset': String(upload.length), ...assetHeaders(upload) });
  return reply.code(204).send();
}

/**
 * Mounts tus at /api/uploads (all tus methods, and /api/uploads/:id). The routes sit in their own
 * scope whose only content-type parser passes every body through untouched: tus reads the raw
 * stream itself (see @tus/server's fastify example). Around tus: a finished upload's HEAD and
 * PATCH are answered from its record, the checksum extension is checked before tus sees a byte,
 * and every answer carries Tus-Resumable.
 */
export async function registerUploadRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const uploads = await createTusUploads(ctx, app.log);
  app.addHook('onClose', async () => {
    await uploads.close();
  });
  const { server } = uploads;
  app.jobs.register(
    EXPIRE_UPLOADS_JOB,
    {
      async run() {
        // First, so that a record without its file cannot stop the store's own expiry (strays.ts).
        const strays = await uploads.store.removeStrays(ctx.now());
        const expired = (await server.cleanUpExpiredUploads()) + strays;
        const pruned = await pruneFinished(ctx.db, new Date(ctx.now().getTime() - FINISHED_UPLOAD_KEEP_MS));
        if (expired > 0 || pruned > 0)
          app.log.info({ expired, pruned }, 'deleted expired uploads and old records');
      },
    },
    { everyMs: EXPIRE_UPLOADS_EVERY_MS },
  );
  await app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
    // "The Tus-Resumable header MUST be included in every request and response except for
    // OPTIONS requests": the 401 of the authentication hook and every error included.
    scope.addHook('onSend', (_request, reply, payload, next) => {
      void reply.header('tus-resumable', TUS_RESUMABLE);
      // "... and MUST include the Tus-Version header into the response" of a 412.
      if (reply.statusCode === 412) void reply.header('tus-version', TUS_RESUMABLE);
      next(null, payload);
    });

    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const method = tusMethod(request);
      checkProtocol(request, method);
      const isOptions = method === 'OPTIONS';
      const uploadId = uploadIdOf(request);
      if (!isOptions && uploadId !== null && (method === 'HEAD' || method === 'PATCH')) {
        const done = await finishedUpload(ctx, uploads, uploadId, principalOf(request));
        if (done !== null) {
          return method === 'HEAD'
            ? answerFinishedHead(reply, done)
            : answerFinishedPatch(request, reply, done);
        }
      }
      const declared = request.headers['upload-checksum'];
      const verified =
        typeof declared === 'string' && (method === 'PATCH' || method === 'POST')
          ? await verifyBody(
              request.raw,
              parseUploadChecksum(declared),
              ctx.tmpDir,
              largestUpload(ctx.config.limits),
            )
          : null;
      const { webRequest, body } = toWebRequest(request, method, verified?.stream ?? null);
      if (!isOptions) bindPrincipal(webRequest, principalOf(request));
      let response: Response | null = null;
      try {
        response = await uploads.store.handle(() => server.handleWeb(webRequest));
      } finally {
        body?.discardRest();
        await verified?.dispose();
        const finishedId = uploads.finishedBy(webRequest);
        if (finishedId !== null) await uploads.discard(finishedId, true);
        // Terminated (tus termination): whatever the store's remove leaves goes too (S3's `.part`).
        if (method === 'DELETE' && uploadId !== null && response?.status === 204)
          await uploads.discard(uploadId, true);
        // A creation whose body was cut off, or that failed (a full disk while writing its
        // record or body), never gave its client the Location (the answer goes out after the
        // body, an error carries none), so no one can resume it: it goes at once instead of
        // waiting a week to expire (issue 18, findings 11 and 12: each retry on a full disk
        // left one behind).
        const createdId = request.method === 'POST' ? uploads.createdBy(webRequest) : null;
        const answered = response !== null && response.status < 400;
        if (createdId !== null && (!request.raw.complete || !answered))
          await uploads.discard(createdId, false);
      }
      if (isOptions && response.status === 204) {
        // The checksum extension lives here, in front of tus, which advertises its store's list.
        // "A Server supporting this extension MUST include the Tus-Checksum-Algorithm header."
        const extensions = response.headers.get('tus-extension');
        response.headers.set('tus-extension', extensions === null ? 'checksum' : `${extensions},checksum`);
        response.headers.set('tus-checksum-algorithm', CHECKSUM_ALGORITHMS.join(','));
      }
      if (method === 'HEAD' && uploadId !== null && response.status === 200) {
        const length = response.headers.get('upload-length');
        // Complete, and not finished: its final request was cut off (the client went away, the
        // process stopped) before it was stored. It is stored now, and the HEAD says so.
        if (length !== null && response.headers.get('upload-offset') === length) {
          const upload = await uploads.find(uploadId);
          if (upload === null) throw new ApiError('UPLOAD_NOT_FOUND');
          const done = await uploads.finish(principalOf(request).user.id, upload);
          // Not known complete in the store: its process may have died before completing it.
          await uploads.discard(uploadId, false);
          for (const [name, value] of Object.entries(assetHeaders(done))) response.headers.set(name, value);
        }
      }
      return sendWebResponse(reply, response);
    };
    // "OPTIONS ... to gather information about the Server's current configuration" needs no
    // credentials: a browser's CORS preflight never carries any. A preflight gets @fastify/cors's
    // headers (app.ts) and then tus's answer, with Tus-Version.
    const cors = { preflightContinue: true, strictPreflight: false };
    for (const route of TUS_ROUTES) {
      const config = route.method === 'OPTIONS' ? { ...route.config, public: true, cors } : route.config;
      scope.route({ ...route, ...(config === undefined ? {} : { config }), handler });
    }
    done();
  });
}
