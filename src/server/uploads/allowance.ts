import { formatBytes } from '../../shared/limits';
import type { AppContext } from '../context';
import { ApiError } from '../errors';

/**
 * Unfinished uploads one user may have at once. The app has a few running and some paused big
 * ones; 500 uploads declaring 10 GB each (issue 18, finding 4) is not a backup.
 */
export const MAX_UNFINISHED_UPLOADS = 100;

/** What the upload store can tell about the unfinished uploads (upload-store.ts). */
export interface UnfinishedUploads {
  /** The ids of one owner's unfinished uploads. */
  ofOwner(ownerId: string): Promise<string[]>;
  /** An unfinished upload's declared length; undefined when deferred, or when it is gone. */
  size(id: string): Promise<number | undefined>;
  /** Bytes free on the disk that upload bodies are written to; null when they go elsewhere (S3). */
  freeBytes(): Promise<number | null>;
}

/**
 * Whether a user may start an upload of `declaredBytes` (onUploadCreate): fewer than
 * MAX_UNFINISHED_UPLOADS unfinished (429 TOO_MANY_UPLOADS: the client's own uploads finishing
 * make room), the library (trash included) plus the unfinished uploads plus this one within the
 * owner-set quota (413 QUOTA_EXCEEDED, saying how much is used), and room for it on the server's
 * disk when its bytes are written there (507 STORAGE_FULL).
 */
export async function enforceUploadAllowance(
  ctx: Pick<AppContext, 'db'>,
  store: UnfinishedUploads,
  ownerId: string,
  declaredBytes: number,
): Promise<void> {
  const mine = await store.ofOwner(ownerId);
  if (mine.length >= MAX_UNFINISHED_UPLOADS) {
    throw new ApiError(
      'TOO_MANY_UPLOADS',
      `You have ${mine.length} unfinished uploads, the most at once. New ones start as those finish.`,
    );
  }
  const user = await ctx.db
    .selectFrom('users')
    .select('quota_bytes')
    .where('id', '=', ownerId)
    .executeTakeFirst();
  const quota = user?.quota_bytes ?? null;
  if (quota !== null) {
    const stored = await ctx.db
      .selectFrom('assets')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('bytes'), eb.lit(0)).as('bytes'))
      .where('owner_id', '=', ownerId)
      .executeTakeFirst();
    const sizes = await Promise.all(mine.map(async (id) => (await store.size(id)) ?? 0));
    const used = Number(stored?.bytes ?? 0) + sizes.reduce((sum, size) => sum + size, 0);
    if (used + declaredBytes > Number(quota)) {
      throw new ApiError(
        'QUOTA_EXCEEDED',
        `This file (${formatBytes(declaredBytes)}) would go over your storage quota: ${formatBytes(used)} of ${formatBytes(Number(quota))} used. Ask the owner of this server for more space.`,
      );
    }
  }
  const free = await store.freeBytes();
  if (free !== null && declaredBytes > free) {
    throw new ApiError('STORAGE_FULL');
  }
}
