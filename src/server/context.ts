import type { Config } from './config';
import type { Db } from './db';
import type { BlobStore } from './storage/blob-store';
import type { LoginThrottle } from './auth/login-throttle';

/** What route modules, the upload hooks and the jobs share; built once in app.ts. */
export interface AppContext {
  config: Config;
  db: Db;
  /** Originals, content-addressed per owner. */
  blobs: BlobStore;
  /** Thumbnails (storage/blob-store.ts `thumbKeyFor`). */
  thumbs: BlobStore;
  /** This process's scratch files (thumbnails on their way into the store, copies for decoders): storage/scratch.ts. */
  tmpDir: string;
  /** The background job queue: wake it after committing a job. */
  jobs: { wake(): void };
  loginThrottle: LoginThrottle;
  /** The clock, injectable for tests. */
  now: () => Date;
}
