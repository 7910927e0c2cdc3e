import type { RouteHandlerCallbackOptions } from 'workbox-core';
import { registerRoute } from 'workbox-routing';
import { registerBackgroundSync } from '../queue/backgroundSync';
import { QueueDb } from '../queue/queueDb';
import { SHARE_FILES_FIELD, SHARE_TARGET_ACTION, backupUrlFor } from '../shared/shareTarget';
import type { ShareResult } from '../shared/shareTarget';
import { drainForEvent } from './backup';

declare const self: ServiceWorkerGlobalScope;

/**
 * A shared file Shoebox backs up: a photo or a video by its declared type. An empty type is kept,
 * since the drain sniffs the real type from the bytes and skips, with a reason, what is not media.
 */
function isMedia(file: File): boolean {
  return file.type === '' || file.type.startsWith('image/') || file.type.startsWith('video/');
}

/**
 * The files of a share. `title`, `text` and `url` (what a share of a web page carries) are not
 * files and are left out without a word; files of other kinds are left out and counted.
 */
export function sharedFiles(form: FormData): { files: File[]; ignored: number } {
  const files: File[] = [];
  let ignored = 0;
  for (const value of form.getAll(SHARE_FILES_FIELD)) {
    if (typeof value === 'string') continue;
    if (isMedia(value)) files.push(value);
    else ignored += 1;
  }
  return { files, ignored };
}

/**
 * Stores the shared files in the backup queue, offline or not. Items get no owner: the next drain
 * gives them to the account signed in then (QueueDb.assignToAccount). A file the device has no
 * room for becomes a blocked item with the reason (QueueDb.addFiles), and what was stored before
 * it stays stored.
 */
export async function receiveShare(request: Request): Promise<ShareResult> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    // Not multipart/form-data or urlencoded (a hand-made request): nothing was shared.
    return { status: 'empty', ignored: 0 };
  }
  const { files, ignored } = sharedFiles(form);
  if (files.length === 0) return { status: 'empty', ignored };
  const queue = await QueueDb.open();
  try {
    await queue.addFiles(files, { owner: null });
  } finally {
    queue.close();
  }
  return { status: 'queued', queued: files.length, ignored };
}

/**
 * Wakes the drain for what was just queued: Background Sync fires once online, even with no page
 * open. Where it does not exist (or is refused), this worker drains within the share's own event.
 */
async function wakeDrain(): Promise<void> {
  let registered = false;
  try {
    registered = await registerBackgroundSync(self.registration);
  } catch (error) {
    console.warn('Shoebox could not register Background Sync for a share; it drains now instead.', error);
  }
  if (!registered) await drainForEvent();
}

/**
 * POST /share-target (the manifest's share_target): answered here, never by the network, so a
 * share works offline. The answer is a 303 to the Backup screen, which shows what was queued.
 */
export async function onShareTarget({ request, event }: RouteHandlerCallbackOptions): Promise<Response> {
  let result: ShareResult;
  try {
    result = await receiveShare(request);
  } catch (error) {
    console.error('Shoebox could not store a share.', error);
    result = { status: 'failed' };
  }
  if (result.status === 'queued') event.waitUntil(wakeDrain());
  return Response.redirect(new URL(backupUrlFor(result), self.location.origin).href, 303);
}

/** Routes the share target's POST to `onShareTarget`; workbox routes only GET unless told otherwise. */
export function registerShareTarget(): void {
  registerRoute(
    ({ url }) => url.origin === self.location.origin && url.pathname === SHARE_TARGET_ACTION,
    onShareTarget,
    'POST',
  );
}
