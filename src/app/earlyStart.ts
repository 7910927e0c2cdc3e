/**
 * What index.html starts before the app's own script has even arrived (issue 5): on a phone the
 * first screen otherwise waited for that script, then for the session, then for the screen's
 * code and data, one after the other. For the screen of the address it adds modulepreload and
 * preload links for the screen's code, and starts the API requests the app makes first, into
 * `window.shoeboxEarly`, where src/app/earlyFetch.ts hands them to the app's own requests.
 */

/**
 * The API requests started early, by path. The app's own requests use these paths (api.ts,
 * libraryApi.ts), so that they take the answers; this module imports nothing, for vite.config.ts.
 */
export const EARLY_PATHS = {
  config: '/api/config',
  me: '/api/me',
  buckets: '/api/assets/buckets',
  /** Library's first page: libraryApi's FIRST_PAGE (a unit test checks they agree). */
  firstPage: '/api/assets?limit=100',
} as const;

/** What every screen asks first (the session). */
export const SESSION_REQUESTS = [EARLY_PATHS.config, EARLY_PATHS.me];
/** What Library asks first, together. */
export const LIBRARY_FIRST_REQUESTS = [EARLY_PATHS.buckets, EARLY_PATHS.firstPage];

/** One screen's part: its address, its code and styles, and the API requests it makes first. */
export interface EarlyScreen {
  /** The address, `/library` (matching `/library/…` too). */
  path: string;
  modules: string[];
  styles: string[];
  requests: string[];
  /**
   * Date formats the screen words dates with as it opens. The first Intl.DateTimeFormat of a page
   * loads the browser's date data (on a throttled phone CPU 300 ms and more, where later ones take
   * a few): made here, while the app's script is still on its way, that wait is not added to it.
   */
  dateFormats?: Intl.DateTimeFormatOptions[];
}

export interface EarlyPlan {
  screens: EarlyScreen[];
  /** Requests every screen makes first (the session). */
  requests: string[];
}

/** An early request, as index.html starts it and earlyFetch.ts takes it. */
export interface EarlyRequest {
  answer: Promise<Response>;
  at: number;
}

declare global {
  // The page's one map of early requests, shared by index.html's script and the app.
  var shoeboxEarly: Record<string, EarlyRequest> | undefined;
}

/**
 * Runs inline in index.html, as its source text (vite.config.ts puts it there with the plan of
 * the build): it must not use anything from outside itself.
 */
export function startEarly(plan: EarlyPlan): void {
  const screen = plan.screens.find(
    (candidate) => location.pathname === candidate.path || location.pathname.startsWith(`${candidate.path}/`),
  );
  const early: Record<string, EarlyRequest> = (globalThis.shoeboxEarly ??= {});
  for (const request of [...plan.requests, ...(screen?.requests ?? [])]) {
    if (request in early) continue;
    // The request requestJson (src/queue/http.ts) makes for a GET, so that its answer is the same.
    const answer = fetch(request, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    });
    // A failure is reported by the app's request that takes this answer.
    void answer.catch(() => undefined);
    early[request] = { answer, at: Date.now() };
  }
  const links: [string, string][] = [
    ...(screen?.modules ?? []).map((href): [string, string] => ['modulepreload', href]),
    ...(screen?.styles ?? []).map((href): [string, string] => ['preload', href]),
  ];
  const dateFormats = screen?.dateFormats ?? [];
  if (dateFormats.length > 0) {
    // A task of its own, after the page's markup is read, rather than holding up the parser.
    setTimeout(() => {
      for (const options of dateFormats) new Intl.DateTimeFormat(undefined, options).format(0);
    }, 0);
  }
  for (const [rel, href] of links) {
    const link = document.createElement('link');
    link.rel = rel;
    link.href = href;
    // As Vite's own preload of a chunk's modules and styles asks for them, so that its request
    // finds these in the cache instead of loading them again.
    link.crossOrigin = '';
    if (rel === 'preload') link.as = 'style';
    document.head.append(link);
  }
}
