import type { Preparer } from '../queue/prepare';
import { createPreparePool } from '../media/pool';
import type { PreparePool } from '../media/pool';
import { withPosters } from '../media/poster';

let pool: PreparePool | null = null;

/**
 * The page's preparer: the worker pool of src/media/pool.ts (one worker per core, started on
 * demand), so hashing and compressing never run on the main thread. Created on first use and
 * kept for the page's life; the service worker prepares inline instead. Null where there are no
 * dedicated workers (unit tests in Node): then the drain prepares inline too.
 */
export function pagePreparer(): { prepare: Preparer; concurrency: number } | null {
  if (typeof Worker === 'undefined') return null;
  pool ??= createPreparePool();
  // Videos also get a poster frame here: only the page has a <video> to take it with.
  return { prepare: withPosters(pool.prepare), concurrency: pool.size };
}
