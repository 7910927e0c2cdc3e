/**
 * The Web Share Target (https://w3c.github.io/web-share-target/) as the manifest, the service
 * worker, the server and the Backup screen agree on it: where the OS posts what the user shared,
 * and how the outcome reaches the Backup screen in the redirect's query string.
 */

/** The manifest's `share_target.action`: a POST the service worker answers itself. */
export const SHARE_TARGET_ACTION = '/share-target';

/** The multipart field the shared files arrive in (`share_target.params.files[0].name`). */
export const SHARE_FILES_FIELD = 'media';

/** The MIME types the share sheet offers Shoebox for (`share_target.params.files[0].accept`). */
export const SHARE_ACCEPT = ['image/*', 'video/*'];

/**
 * What became of one share:
 * - queued: `queued` files are in the backup queue (some may be blocked there, e.g. out of space);
 * - empty: no photo or video was shared (only text, a link, or other kinds of files);
 * - failed: the device could not store the files (the service worker's IndexedDB failed);
 * - no-worker: the POST reached the server because no service worker was installed yet.
 * `ignored` counts shared files that were not photos or videos.
 */
export type ShareResult =
  | { status: 'queued'; queued: number; ignored: number }
  | { status: 'empty'; ignored: number }
  | { status: 'failed' }
  | { status: 'no-worker' };

const QUERY_STATUS = 'shared';
const QUERY_IGNORED = 'ignored';

/** The Backup screen's address for a share's outcome, e.g. `/backup?shared=2`. */
export function backupUrlFor(result: ShareResult): string {
  // Plain concatenation: every value is a count or a fixed word (and src/shared has no DOM's URLSearchParams).
  switch (result.status) {
    case 'queued':
    case 'empty': {
      const shared = result.status === 'queued' ? result.queued : 0;
      const ignored = result.ignored > 0 ? `&${QUERY_IGNORED}=${result.ignored}` : '';
      return `/backup?${QUERY_STATUS}=${shared}${ignored}`;
    }
    case 'failed':
    case 'no-worker':
      return `/backup?${QUERY_STATUS}=${result.status}`;
  }
}

function count(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return null;
  return Number(value);
}

/** The share's outcome from the Backup screen's query, or null when the screen was not opened by a share. */
export function shareResultFrom(query: Record<string, unknown>): ShareResult | null {
  const status = query[QUERY_STATUS];
  if (status === 'failed' || status === 'no-worker') return { status };
  const queued = count(status);
  if (queued === null) return null;
  const ignored = count(query[QUERY_IGNORED]) ?? 0;
  return queued === 0 ? { status: 'empty', ignored } : { status: 'queued', queued, ignored };
}

const plural = (n: number, one: string, many: string): string =>
  `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** The sentence the Backup screen shows for a share, and whether it reports a problem. */
export function shareMessage(result: ShareResult): { text: string; problem: boolean } {
  const leftOut = (ignored: number): string =>
    ignored === 0
      ? ''
      : ` ${plural(ignored, "shared file wasn't a photo or video and was", "shared files weren't photos or videos and were")} left out.`;
  switch (result.status) {
    case 'queued':
      return {
        text: `${plural(result.queued, 'shared photo or video is', 'shared photos and videos are')} in the queue and will be backed up as soon as the server can be reached.${leftOut(result.ignored)}`,
        problem: false,
      };
    case 'empty':
      return {
        text: `Nothing to back up was shared: Shoebox keeps photos and videos.${leftOut(result.ignored)}`,
        problem: true,
      };
    case 'failed':
      return {
        text: "Shoebox couldn't store what was shared on this device. Free some space if it is full, then share it again.",
        problem: true,
      };
    case 'no-worker':
      return {
        text: "Shoebox wasn't set up on this device yet when you shared, so nothing was received. Now that it is open, share the photos again.",
        problem: true,
      };
  }
}
