import type { FastifyBaseLogger } from 'fastify';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import type { Upload } from '@tus/server';
import type { AppContext } from '../context';
import { readMetadataOrNull } from '../library/media-metadata';
import { hashFile } from '../library/media-info';
import { removeStrayUploads } from './strays';
import { fromTusThrown } from './tus-errors';
import type { OpenedUpload, UploadStore } from './upload-store';
import { uploadOwner } from './upload-id';

/**
 * Unfinished uploads as files in `<data>/uploads` (@tus/file-store), when blobs are on the
 * filesystem: one machine, whose processes share the data directory.
 */
export async function fileUploadStore(
  ctx: AppContext,
  log: FastifyBaseLogger,
  expirationPeriodInMilliseconds: number,
): Promise<UploadStore> {
  const directory = path.join(ctx.config.dataDir, 'uploads');
  await fs.mkdir(directory, { recursive: true });
  // tus 1.0.0 expiration: "the Server MAY remove unfinished uploads once they expire"; the store
  // sends Upload-Expires and its deleteExpired (server.cleanUpExpiredUploads) does the removing.
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds });
  // FileStore's record store lists every upload it holds (FileKvStore.list).
  const records = datastore.configstore;

  /**
   * A finished upload never lingers: once its request is answered, its file and its .json record
   * go (its bytes are the asset's blob, or were refused). Best effort: the answer is decided.
   */
  async function discard(uploadId: string): Promise<void> {
    try {
      await datastore.remove(uploadId);
    } catch (removeError) {
      // The data file became the asset's blob (FileStore.remove unlinks it first): the record is left.
      if (fromTusThrown(removeError).code !== 'UPLOAD_NOT_FOUND') {
        log.warn({ err: removeError, uploadId }, 'could not clean up a finished upload');
        return;
      }
      try {
        await records.delete(uploadId);
      } catch (error) {
        // No record either: the creation was refused before there was one (routes.ts discards it).
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        log.warn({ err: error, uploadId }, 'could not delete a finished upload’s record');
      }
    }
  }

  /**
   * A second name for the upload's data file in the scratch directory, which storing it moves into
   * the blob store: the upload itself stays whole until its request has been answered, since tus
   * reads it once more after onUploadFinish (PostHandler, for Upload-Expires).
   */
  async function open(upload: Upload): Promise<OpenedUpload> {
    const source = upload.storage?.path ?? path.join(directory, upload.id);
    const scratch = path.join(ctx.tmpDir, `finish-${upload.id}-${randomUUID()}`);
    try {
      await fs.link(source, scratch);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await fs.copyFile(source, scratch);
    }
    return {
      hash: () => hashFile(scratch),
      readMetadata: (mimeType) => readMetadataOrNull(scratch, mimeType, log),
      storeAs: (blobKey) => ctx.blobs.putFile(blobKey, scratch),
      dispose: () => fs.rm(scratch, { force: true }),
    };
  }

  return {
    datastore,
    unfinished: {
      ofOwner: async (ownerId) => {
        if (records.list === undefined) throw new Error('The upload store cannot list its uploads.');
        return (await records.list()).filter((id) => uploadOwner(id) === ownerId);
      },
      size: async (id) => (await records.get(id))?.size,
      freeBytes: async () => {
        const disk = await fs.statfs(directory);
        return disk.bavail * disk.bsize;
      },
    },
    open,
    discard,
    handle: (request) => request(),
    removeStrays: (now) => removeStrayUploads(directory, now),
    diskDirectory: directory,
  };
}
