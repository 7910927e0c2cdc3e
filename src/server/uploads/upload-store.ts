import type { DataStore, Upload } from '@tus/server';
import type { UnfinishedUploads } from './allowance';
import type { CompleteUpload } from './finish';

/** A complete upload opened for finishing; `dispose` removes what reading it left on local disk. */
export interface OpenedUpload extends CompleteUpload {
  dispose(): Promise<void>;
}

/**
 * Where unfinished uploads live, around the tus DataStore that keeps them (DESIGN §6): @tus/file-store
 * in the data directory when blobs are on the filesystem (one machine), @tus/s3-store in the
 * bucket when they are in S3, so that any process can take any chunk (file-upload-store.ts,
 * s3-upload-store.ts). Both stores are configured, never subclassed.
 */
export interface UploadStore {
  datastore: DataStore;
  /** The unfinished uploads, for the per-user cap and quota (allowance.ts). */
  unfinished: UnfinishedUploads;
  /** A complete upload's bytes, to verify and store (finish.ts). */
  open(upload: Upload): Promise<OpenedUpload>;
  /**
   * Deletes an upload, finished or not, with its record; `complete` when all its bytes arrived
   * (or tus removed it already), which spares S3 an abort of a multipart upload that is no more.
   * Best effort: logs what it cannot.
   */
  discard(uploadId: string, complete: boolean): Promise<void>;
  /** Runs one tus request (what the store may keep while the request holds its upload's lock). */
  handle<T>(request: () => Promise<T>): Promise<T>;
  /** Removes what a killed process left where the store's own expiry does not look; answers how many. */
  removeStrays(now: Date): Promise<number>;
  /** A folder on the disk that upload bodies pass through, to tell a full disk (tus-errors.ts). */
  diskDirectory: string;
}
