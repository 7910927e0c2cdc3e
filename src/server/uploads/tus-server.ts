import type { FastifyBaseLogger } from 'fastify';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MemoryLocker, Server, type Upload } from '@tus/server';
import { ASSET_ID_HEADER, TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../shared/tus';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { storeFinishedUpload } from './finish';
import { enforceLimits, largestUpload } from './limits';
import { parseUploadMetadata } from './metadata';
import { tusPrincipal } from './request-principal';
import { fromTusThrown } from './tus-errors';
import { HashingFileStore } from './upload-hash';
import { newUploadId, uploadOwner } from './upload-id';

export interface TusUploads {
  server: Server;
  directory: string;
  /**
   * Deletes the unfinished uploads nobody has written to since `before`, with every file they
   * left (the data, tus's .json record, a .sha256 sidecar from earlier versions), and answers how
   * many. An upload being stored is left alone.
   */
  sweep: (before: Date) => Promise<number>;
}

/**
 * @tus/server over a FileStore in `<data>/uploads`, one hook per concern (DESIGN §6):
 * onIncomingRequest = who may touch this upload, onUploadCreate = limits and metadata,
 * onUploadFinish = verify, store, index.
 */
export async function createTusUploads(ctx: AppContext, log: FastifyBaseLogger): Promise<TusUploads> {
  const directory = path.join(ctx.config.dataDir, 'uploads');
  await fs.mkdir(directory, { recursive: true });
  const datastore = new HashingFileStore({ directory });

  /** Uploads being verified and stored right now. */
  const finishing = new Set<string>();
  const uploadPath = (upload: Upload): string => upload.storage?.path ?? path.join(directory, upload.id);

  /**
   * A complete upload never lingers: its file became an asset's blob, or it is deleted, and its
   * .json sidecar goes either way. Best effort: the answer to the client is already decided.
   */
  async function discard(upload: Upload): Promise<void> {
    try {
      await fs.rm(uploadPath(upload), { force: true });
      await datastore.configstore.delete(upload.id);
    } catch (error) {
      log.warn({ err: error, uploadId: upload.id }, 'could not clean up a finished upload');
    }
  }

  const server = new Server({
    path: TUS_ENDPOINT,
    datastore,
    // tus's own: a second request for an upload asks the running one to stop and takes over.
    locker: new MemoryLocker(),
    relativeLocation: true,
    respectForwardedHeaders: ctx.config.trustProxy !== false,
    // Same origin only: no Access-Control-Allow-Origin at all.
    allowedOrigins: [],
    exposedHeaders: [ASSET_ID_HEADER, UPLOAD_OUTCOME_HEADER],
    // On POST, onUploadCreate checks Upload-Length against the limit for the file's type and
    // names it; tus's own check would only say "Maximum size exceeded". OPTIONS advertises the
    // largest (Tus-Max-Size), and a PATCH can never exceed its declared length anyway.
    maxSize: (request) => (request.method === 'POST' ? 0 : largestUpload(ctx.config.limits)),

    namingFunction: (request) => newUploadId(tusPrincipal(request).user.id),

    onIncomingRequest: (request, uploadId) => {
      // Someone else's upload is indistinguishable from a missing one.
      if (uploadOwner(uploadId) !== tusPrincipal(request).user.id) throw new ApiError('UPLOAD_NOT_FOUND');
      return Promise.resolve();
    },

    onUploadCreate: (_request, upload) => {
      if (upload.sizeIsDeferred || upload.size === undefined) {
        throw new ApiError(
          'BAD_REQUEST',
          'Declare the upload’s size with Upload-Length; deferred lengths are not accepted.',
        );
      }
      const metadata = parseUploadMetadata(upload.metadata);
      enforceLimits(ctx.config.limits, { mimeType: metadata.type, bytes: upload.size });
      return Promise.resolve({});
    },

    onUploadFinish: async (request, upload) => {
      // onIncomingRequest has established that the upload is the caller's.
      const ownerId = tusPrincipal(request).user.id;
      // An empty PATCH at the final offset finishes the upload again; tus has already released
      // its lock here, so one verification at a time per upload is enforced by this process.
      if (finishing.has(upload.id)) throw new ApiError('UPLOAD_CONFLICT');
      finishing.add(upload.id);
      try {
        const bytes = upload.size ?? upload.offset;
        const stored = await storeFinishedUpload(
          ctx,
          {
            ownerId,
            path: uploadPath(upload),
            bytes,
            metadata: parseUploadMetadata(upload.metadata),
            landedSha256: datastore.takeDigest(upload.id, bytes),
          },
          log,
        );
        return { headers: { [ASSET_ID_HEADER]: stored.assetId, [UPLOAD_OUTCOME_HEADER]: stored.status } };
      } finally {
        await discard(upload);
        finishing.delete(upload.id);
      }
    },

    onResponseError: (_request, error) => {
      const apiError = fromTusThrown(error);
      if (apiError.code === 'INTERNAL') log.error({ err: error }, 'upload request failed');
      return { status_code: apiError.status, body: JSON.stringify(apiError.body) };
    },
  });
  async function sweep(before: Date): Promise<number> {
    const files = new Map<string, string[]>();
    for (const name of await fs.readdir(directory)) {
      const id = name.replace(/\.(json|sha256)$/, '');
      files.set(id, [...(files.get(id) ?? []), name]);
    }
    let removed = 0;
    for (const [id, names] of files) {
      if (finishing.has(id)) continue;
      const stats = await Promise.all(
        names.map((name) => fs.stat(path.join(directory, name)).catch(() => null)),
      );
      if (stats.some((stat) => stat?.isFile() === false)) continue;
      const lastWrite = Math.max(...stats.map((stat) => stat?.mtimeMs ?? 0));
      // Looked at again after the awaits: a request that arrived meanwhile keeps its upload.
      if (lastWrite >= before.getTime() || finishing.has(id)) continue;
      await datastore.forget(id);
      await Promise.all(names.map((name) => fs.rm(path.join(directory, name), { force: true })));
      removed += 1;
    }
    return removed;
  }

  return { server, directory, sweep };
}
