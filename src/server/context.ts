import type { Config } from './config';
import type { Db } from './db';
import type { BlobStore } from './storage/blob-store';
import type { LoginThrottle } from './auth/login-throttle';

/** What route modules and the upload hooks share; built once in app.ts. */
export interface AppContext {
  config: Config;
  db: Db;
  blobs: BlobStore;
  loginThrottle: LoginThrottle;
  /** The clock, injectable for tests. */
  now: () => Date;
}
