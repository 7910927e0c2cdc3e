import type { PrepareInput, PrepareResult } from '../queue/preparer';

/** Page → worker: prepare one file. The signal stays in the page: an abort terminates the worker. */
export interface PrepareRequest {
  id: number;
  input: Omit<PrepareInput, 'signal'>;
}

/** Worker → page: the result, or why preparing threw (a read error, a bug). */
export type PrepareResponse =
  { id: number; ok: true; result: PrepareResult } | { id: number; ok: false; name: string; message: string };
