import type { Preparer } from '../queue/preparer';
import { createPreparePool } from '../media/pool';
import type { PreparePool } from '../media/pool';
import { withPosters } from '../media/poster';

let pool: PreparePool | null = null;

/**
 * The page's preparer, handed to the drain as its Preparer port: the worker pool of
 * src/media/pool.ts (one worker per core, started on demand), so hashing and compressing never
 * run on the main thread. Created on first use and kept for the page's life. Where there are no
 * dedicated workers (unit tests in Node) the drain prepares inline, with the preparing code
 * loaded then as a chunk of its own: the page's drain chunk never carries it.
 */
export async function pagePreparer(): Promise<{ prepare: Preparer; concurrency: number }> {
  if (typeof Worker === 'undefined') {
    const { prepareFile } = await import('../media/prepare');
    return { prepare: prepareFile, concurrency: 1 };
  }
  pool ??= createPreparePool();
  // Videos also get a poster frame here: only the page has a <video> to take it with.
  return { prepare: withPosters(pool.prepare), concurrency: pool.size };
}
