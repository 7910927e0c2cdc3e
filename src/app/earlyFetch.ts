/**
 * GET requests a screen is known to make as it opens, started by the router as the app opens, in
 * parallel with the session and the screen's own code, instead of after both (issue 5: on a phone
 * Library's first photo waited for a chain of five requests). The screen's request for the same
 * path takes the answer, once; a request nobody takes soon is forgotten, so a later one never
 * gets an old answer.
 */
import type { FetchFn } from '../queue/http';

/** An answer not taken within this long is dropped: the screen did not open (a redirect to sign-in, say). */
const KEEP_MS = 10_000;

const started = new Map<string, { answer: Promise<Response>; at: number }>();

/** The same request requestJson makes for a GET, so its answer is the one the screen would get. */
function get(path: string): Promise<Response> {
  return fetch(path, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    cache: 'no-store',
  });
}

/** Starts the GET requests of `paths` now, for fetchEarly to hand to the screen that asks. */
export function startEarly(paths: readonly string[]): void {
  for (const path of paths) {
    if (started.has(path)) continue;
    const answer = get(path);
    // A failure is the screen's to report, when it takes this answer (requestJson turns it into
    // its NetworkError); until then it must not count as an unhandled rejection.
    void answer.catch(() => undefined);
    started.set(path, { answer, at: Date.now() });
  }
}

/**
 * A FetchFn for requestJson: the answer of a request startEarly started for this path, if any
 * (and recent), else a fetch of its own. An abort meanwhile rejects as the fetch would have.
 */
export const fetchEarly: FetchFn = async (input, init) => {
  const early = started.get(input);
  started.delete(input);
  if (early === undefined || Date.now() - early.at > KEEP_MS || (init.method ?? 'GET') !== 'GET') {
    return fetch(input, init);
  }
  const response = await early.answer;
  init.signal?.throwIfAborted();
  return response;
};
