import type { FastifyBaseLogger } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryLocker, Metadata, Server, type Locker, type Upload } from '@tus/server';
import { postgresPool } from '../db/postgres';
import { ASSET_ID_HEADER, TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../shared/tus';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { addUploadToAlbum, checkAlbumScope } from '../library/upload-album';
import { storeFinishedUpload } from './finish';
import { claimFinish, findFinish, recordFinished, releaseFinish, type FinishedUpload } from './finished';
import { enforceUploadAllowance } from './allowance';
import { fileUploadStore } from './file-upload-store';
import { enforceDeclaredLimits, largestUpload } from './limits';
import { parseUploadMetadata } from './metadata';
import { PostgresLocker } from './postgres-locker';
import { tusPrincipal } from './request-principal';
import { s3UploadStore } from './s3-upload-store';
import { fromTusFailure, fromTusThrown } from './tus-errors';
import type { OpenedUpload, UploadStore } from './upload-store';
import { newUploadId, uploadOwner } from './upload-id';

/**
 * How long an unfinished upload is kept after its creation (tus `expiration`: its Upload-Expires).
 * Most are resumed within minutes; what stays was abandoned (a creation whose answer never reached
 * the client, which then started again; an item removed mid-upload). A client that comes back
 * later finds its upload gone (410) and starts it again from its own queue, so nothing is lost.
 */
export const UNFINISHED_UPLOAD_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * How long a HEAD keeps answering a finished upload as complete (issue 13: at least 24 hours), so
 * that a client whose final answer was lost learns it with one request.
 */
export const FINISHED_UPLOAD_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** How long a request waits for another one that is verifying and storing the same upload. */
const FINISH_WAIT_MS = 20_000;
const FINISH_POLL_MS = 200;

/** Response headers a page on another origin may read besides tus's own (Upload-Offset…). */
export const EXTRA_EXPOSED_HEADERS = [
  ASSET_ID_HEADER,
  UPLOAD_OUTCOME_HEADER,
  'Upload-Expires',
  'Tus-Checksum-Algorithm',
];

/** The headers that name what a finished upload became. */
export function assetHeaders(upload: Pick<FinishedUpload, 'assetId' | 'outcome'>): Record<string, string> {
  return { [ASSET_ID_HEADER]: upload.assetId, [UPLOAD_OUTCOME_HEADER]: upload.outcome };
}

export interface TusUploads {
  server: Server;
  /**
   * Verifies and stores a complete upload, once across every request and process; answers what
   * it became. A request that finds another one at it waits for that one's result.
   */
  finish: (ownerId: string, upload: Upload) => Promise<FinishedUpload>;
  /**
   * Waits for the request that is storing an upload right now: what the upload became, or null
   * when that request failed (and the upload went with it).
   */
  waitForFinish: (uploadId: string) => Promise<FinishedUpload | null>;
  /** The upload as the store has it, or null when there is none. */
  find: (uploadId: string) => Promise<Upload | null>;
  /** Deletes a finished upload's bytes and record, once its request has been answered. */
  discard: (uploadId: string) => Promise<void>;
  /** Where the unfinished uploads are kept (its removeStrays runs with the expiry). */
  store: UploadStore;
  /** The upload a request finished, to discard once it is answered. */
  finishedBy: (request: Request) => string | null;
  /** Lets go of the locker's connections (app close). */
  close: () => Promise<void>;
  /** The upload a POST created (named), whether or not its answer went out. */
  createdBy: (request: Request) => string | null;
}

/**
 * The locker tus takes each upload's lock from: in this process's memory on SQLite (one process),
 * and in PostgreSQL when several processes may share the uploads (DESIGN §6). Its own small pool:
 * a held lock keeps its connection for the whole of a request.
 */
async function uploadLocker(
  ctx: AppContext,
  log: FastifyBaseLogger,
): Promise<{ locker: Locker; close: () => Promise<void> }> {
  const { database } = ctx.config;
  if (database.dialect === 'sqlite') return { locker: new MemoryLocker(), close: () => Promise.resolve() };
  // A broken connection (PostgreSQL restarted) is logged and replaced; unheard, it would end the process.
  const onConnectionError = (error: Error): void =>
    log.warn({ err: error }, 'an upload locker connection failed');
  const pool = postgresPool(database.url, {
    maxConnections: LOCKER_CONNECTIONS,
    onIdleError: onConnectionError,
  });
  const locker = await PostgresLocker.create({ pool, onConnectionError });
  return {
    locker,
    close: async () => {
      await locker.close();
      await pool.end();
    },
  };
}

/** Requests that may hold an upload's lock at once in one process on PostgreSQL. */
const LOCKER_CONNECTIONS = 32;

/** The upload store for where blobs are kept: the data directory, or the S3 bucket. */
async function openUploadStore(
  ctx: AppContext,
  log: FastifyBaseLogger,
): Promise<UploadStore & { close(): void }> {
  const { storage } = ctx.config;
  if (storage.kind === 's3') return s3UploadStore(ctx, storage, log, UNFINISHED_UPLOAD_KEEP_MS);
  return { ...(await fileUploadStore(ctx, log, UNFINISHED_UPLOAD_KEEP_MS)), close: () => undefined };
}

/**
 * @tus/server over the upload store (@tus/file-store or @tus/s3-store), both configured, not
 * subclassed; one hook per concern (DESIGN §6): onIncomingRequest = who may touch this upload,
 * onUploadCreate = limits and metadata, onUploadFinish = verify, store, index.
 */
export async function createTusUploads(ctx: AppContext, log: FastifyBaseLogger): Promise<TusUploads> {
  const store = await openUploadStore(ctx, log);
  const { datastore } = store;
  const discard = (uploadId: string): Promise<void> => store.discard(uploadId);

  async function waitForFinish(uploadId: string): Promise<FinishedUpload | null> {
    const deadline = Date.now() + FINISH_WAIT_MS;
    while (Date.now() < deadline) {
      await sleep(FINISH_POLL_MS);
      const found = await findFinish(ctx.db, uploadId);
      if (found === null) return null;
      if (found.state === 'finished') return found.upload;
    }
    throw new ApiError('UPLOAD_FINISHING');
  }

  async function finish(ownerId: string, upload: Upload): Promise<FinishedUpload> {
    const length = upload.size ?? upload.offset;
    const metadata = upload.metadata === undefined ? null : Metadata.stringify(upload.metadata);
    const claim = await claimFinish(ctx.db, { uploadId: upload.id, ownerId, length, metadata }, ctx.now());
    if (claim.state === 'finished') return claim.upload;
    if (claim.state === 'busy') {
      const finished = await waitForFinish(upload.id);
      // The other request failed, and discarded the upload with it.
      if (finished === null) throw new ApiError('UPLOAD_NOT_FOUND');
      return finished;
    }
    let content: OpenedUpload | null = null;
    try {
      content = await store.open(upload);
      const valid = parseUploadMetadata(upload.metadata);
      const stored = await storeFinishedUpload(ctx, { ownerId, content, bytes: length, metadata: valid });
      const result = { assetId: stored.assetId, outcome: stored.status };
      // Before the upload counts as finished: a failure here retries the whole finish, not only the album.
      if (valid.albumId !== null) {
        await addUploadToAlbum(ctx, log, { ownerId, albumId: valid.albumId, assetId: stored.assetId });
      }
      await recordFinished(ctx.db, upload.id, result, ctx.now());
      return { uploadId: upload.id, ownerId, length, metadata, ...result };
    } catch (error) {
      // Refused (a checksum, a limit) or failed: the upload goes, and the client starts again.
      await discard(upload.id);
      await releaseFinish(ctx.db, upload.id, claim.claimId);
      throw error;
    } finally {
      await content?.dispose();
    }
  }

  async function find(uploadId: string): Promise<Upload | null> {
    try {
      return await datastore.getUpload(uploadId);
    } catch (error) {
      const { code } = fromTusThrown(error);
      if (code === 'UPLOAD_NOT_FOUND' || code === 'UPLOAD_EXPIRED') return null;
      throw error;
    }
  }

  const finishedBy = new WeakMap<Request, string>();
  const locking = await uploadLocker(ctx, log);
  const createdBy = new WeakMap<Request, string>();
  const server = new Server({
    path: TUS_ENDPOINT,
    datastore,
    // A second request for an upload asks the running one to stop and takes over (tus's Locker).
    locker: locking.locker,
    relativeLocation: true,
    respectForwardedHeaders: ctx.config.trustProxy !== false,
    // The same origins as the JSON API (app.ts); a function, so that another origin gets no
    // Access-Control-Allow-Origin at all rather than the first listed one.
    allowedOrigins: (origin) => ctx.config.corsOrigins.includes(origin),
    exposedHeaders: EXTRA_EXPOSED_HEADERS,
    allowedHeaders: ['Upload-Checksum'],
    // On POST, onUploadCreate checks Upload-Length against the limit for the declared type and
    // names it; tus's own check would only say "Maximum size exceeded". OPTIONS advertises the
    // largest (Tus-Max-Size), a PATCH never exceeds its declared length, and a deferred length
    // is held to the largest when it is declared; finishing checks the sniffed type's limit.
    maxSize: (request) => (request.method === 'POST' ? 0 : largestUpload(ctx.config.limits)),

    namingFunction: (request) => {
      const id = newUploadId(tusPrincipal(request).user.id);
      createdBy.set(request, id);
      return id;
    },

    onIncomingRequest: (request, uploadId) => {
      // Someone else's upload is indistinguishable from a missing one.
      if (uploadOwner(uploadId) !== tusPrincipal(request).user.id) throw new ApiError('UPLOAD_NOT_FOUND');
      return Promise.resolve();
    },

    onUploadCreate: async (request, upload) => {
      const metadata = parseUploadMetadata(upload.metadata);
      checkAlbumScope(tusPrincipal(request), metadata.albumId);
      // A deferred length is held to the largest limit when it is declared (maxSize).
      if (upload.size !== undefined) {
        enforceDeclaredLimits(ctx.config.limits, { declaredType: metadata.type, bytes: upload.size });
      }
      await enforceUploadAllowance(ctx, store.unfinished, tusPrincipal(request).user.id, upload.size ?? 0);
      return {};
    },

    onUploadFinish: async (request, upload) => {
      // onIncomingRequest has established that the upload is the caller's.
      const finished = await finish(tusPrincipal(request).user.id, upload);
      finishedBy.set(request, upload.id);
      return { headers: assetHeaders(finished) };
    },

    onResponseError: async (_request, error) => {
      const apiError = await fromTusFailure(error, store.diskDirectory);
      if (apiError.code === 'INTERNAL') log.error({ err: error }, 'upload request failed');
      return { status_code: apiError.status, body: JSON.stringify(apiError.body) };
    },
  });

  return {
    server,
    finish,
    waitForFinish,
    find,
    discard,
    store,
    finishedBy: (request) => finishedBy.get(request) ?? null,
    close: async () => {
      await locking.close();
      store.close();
    },
    createdBy: (request) => createdBy.get(request) ?? null,
  };
}
