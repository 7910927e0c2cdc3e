/**
 * GET requests a screen is known to make as it opens, started before the screen asks: by
 * index.html for the first screen (src/app/earlyStart.ts), by the router for Library opened from
 * the address bar on a build without that script (the dev server). The screen's request for the
 * same path takes the answer, once; a request nobody takes soon is forgotten, so a later one
 * never gets an old answer (a redirect to sign-in, say, and Library opened much later).
 */
import type { FetchFn } from '../queue/http';
import { startEarly as startInline, type EarlyRequest } from './earlyStart';

/** An answer not taken within this long is dropped: its screen did not open. */
const KEEP_MS = 10_000;

function started(): Record<string, EarlyRequest> {
  return (globalThis.shoeboxEarly ??= {});
}

/** Starts the GET requests of `paths` now (those not started yet), for fetchEarly to hand over. */
export function startEarly(paths: readonly string[]): void {
  startInline({ screens: [], requests: [...paths] });
}

/**
 * A FetchFn for requestJson: the answer of a request started early for this path, if any (and
 * recent), else a fetch of its own. An abort meanwhile rejects as the fetch would have.
 */
export const fetchEarly: FetchFn = async (input, init) => {
  const all = started();
  const early = all[input];
  delete all[input];
  if (early === undefined || Date.now() - early.at > KEEP_MS || (init.method ?? 'GET') !== 'GET') {
    return fetch(input, init);
  }
  const response = await early.answer;
  init.signal?.throwIfAborted();
  return response;
};
