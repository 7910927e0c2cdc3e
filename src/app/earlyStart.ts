/**
 * What index.html starts before the app's own script has even arrived (issue 5): on a phone the
 * first screen otherwise waited for that script, then for the session, then for the screen's
 * code and data, one after the other. For the screen of the address it adds modulepreload and
 * preload links for the screen's code, and starts the API requests the app makes first, into
 * `window.shoeboxEarly`, where src/app/earlyFetch.ts hands them to the app's own requests.
 * On Library it also starts the first tiles' previews as soon as the first page answers.
 */
import type { Asset, ThumbSize } from '../shared/api';

/**
 * The API requests started early, by path. The app's own requests use these paths (api.ts,
 * libraryApi.ts), so that they take the answers; this module imports
 * only types, for vite.config.ts.
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

/**
 * Library's first tiles: at most this many (two rows of the widest grid, timelineLayout.ts; on a
 * phone, the first screen's rows), in the size the tiles show (LibraryTile.vue).
 */
export const LIBRARY_FIRST_THUMBS: EarlyThumbs = { page: EARLY_PATHS.firstPage, count: 12, size: 's' };

/** The previews of a screen's first tiles, from the answer of its early first page. */
export interface EarlyThumbs {
  /** The early request whose answer (an AssetPage) lists the tiles. */
  page: string;
  count: number;
  size: ThumbSize;
}

/**
 * The preview URL of an asset, or null while it is being made (libraryApi.ts's thumbUrl). A ready
 * preview's URL carries its version, so the year-long immutable caching never shows a stale one;
 * a placeholder's, the version of the placeholder's drawing.
 * Passed to startEarly as its source text too, so it must not use anything from outside itself.
 */
export function thumbPath(asset: Pick<Asset, 'id' | 'thumb'>, size: ThumbSize): string | null {
  const base = `/api/assets/${encodeURIComponent(asset.id)}/thumb?size=${size}`;
  switch (asset.thumb.state) {
    case 'pending':
      return null;
    case 'ready':
      return `${base}&v=${encodeURIComponent(asset.thumb.version)}`;
    case 'placeholder':
      // The placeholder's drawing has a version of its own: the service worker keeps what it
      // fetched cache-first, so a new drawing (issue 15: see-through, for the dark timeline)
      // needs a new URL to be seen.
      return `${base}&v=placeholder-2`;
  }
}

/** One screen's part: its address, its code and styles, and the API requests it makes first. */
export interface EarlyScreen {
  /** The address, `/library` (matching `/library/…` too). */
  path: string;
  modules: string[];
  styles: string[];
  requests: string[];
  /**
   * Previews the screen shows first (its largest paint): asked for as soon as the page listing
   * them answers, rather than once the app's script, the screen's code and its first render
   * have all come and gone (issue 5: Library's largest paint waited on that chain).
   */
  thumbs?: EarlyThumbs;
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
 * the build and thumbPath's source): it must not use anything from outside itself.
 */
export function startEarly(plan: EarlyPlan, thumbUrl?: typeof thumbPath): void {
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
  const thumbs = screen?.thumbs;
  const page = thumbs === undefined ? undefined : early[thumbs.page];
  if (thumbs !== undefined && page !== undefined && thumbUrl !== undefined) {
    // A copy of the answer is read here, the app reads its own: this callback, added first, runs
    // before the app can have taken the body. An image whose request is under way is kept alive
    // by the browser, and its preview is then in the cache where the tile's <img> finds it.
    void page.answer
      .then((response) => (response.ok ? (response.clone().json() as Promise<{ items?: Asset[] }>) : null))
      .then((body) => {
        for (const asset of (body?.items ?? []).slice(0, thumbs.count)) {
          // A tile draws a placeholder itself (LibraryTile.vue): only real previews are asked for.
          const url = asset.thumb.state === 'placeholder' ? null : thumbUrl(asset, thumbs.size);
          if (url === null) continue;
          const image = new Image();
          image.fetchPriority = 'high';
          image.src = url;
        }
      })
      .catch(() => undefined);
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
