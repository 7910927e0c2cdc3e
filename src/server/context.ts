import type { Config } from './config';
import type { Db } from './db';
import type { BlobStore } from './storage/blob-store';
import type { KeyedMutex } from './storage/keyed-mutex';
import type { LoginThrottle } from './auth/login-throttle';

/** What route modules, the upload hooks and the jobs share; built once in app.ts. */
export interface AppContext {
  config: Config;
  db: Db;
  /** Originals, content-addressed per owner. */
  blobs: BlobStore;
  /** Thumbnails (storage/blob-store.ts `thumbKeyFor`). */
  thumbs: BlobStore;
  /** Held around storing or deleting an original's blob key (see KeyedMutex). */
  blobLocks: KeyedMutex;
  /** Scratch files (thumbnails on their way into the store, copies for decoders); emptied at start. */
  tmpDir: string;
  /** The background job queue: wake it after committing a job. */
  jobs: { wake(): void };
  loginThrottle: LoginThrottle;
  /** The clock, injectable for tests. */
  now: () => Date;
}
