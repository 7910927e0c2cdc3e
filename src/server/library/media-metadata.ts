import type { FastifyBaseLogger } from 'fastify';
import type { Updateable } from 'kysely';
import type { AppContext } from '../context';
import type { AssetsTable } from '../db/schema';
import { readMetadata, type MediaMetadata } from '../imaging';
import type { JobHandler } from '../jobs/queue';
import { withLocalFile } from '../storage/local-file';
import { ensureSearchIndexJob } from '../search/index-job';
import { captureTimeFromMetadata } from './capture-date';

/** The asset columns that come from a file's own metadata. */
export type MetadataColumns = Required<
  Pick<
    Updateable<AssetsTable>,
    'width' | 'height' | 'make' | 'model' | 'lens' | 'latitude' | 'longitude' | 'duration_seconds'
  >
>;

export function metadataColumns(metadata: MediaMetadata | null): MetadataColumns {
  return {
    width: metadata?.width ?? null,
    height: metadata?.height ?? null,
    make: metadata?.make ?? null,
    model: metadata?.model ?? null,
    lens: metadata?.kind === 'photo' ? metadata.lens : null,
    latitude: metadata?.gps?.latitude ?? null,
    longitude: metadata?.gps?.longitude ?? null,
    duration_seconds: metadata?.kind === 'video' ? metadata.durationSeconds : null,
  };
}

/**
 * The metadata of a stored photo or video (imaging's reader, the only EXIF reader on the
 * server), or null when it cannot be read at all: a file whose headers make no sense is still
 * the user's photo, backed up without them.
 */
export async function readMetadataOrNull(
  filePath: string,
  mimeType: string,
  log: FastifyBaseLogger,
): Promise<MediaMetadata | null> {
  try {
    return await readMetadata(filePath, mimeType);
  } catch (error) {
    log.warn({ err: error, mimeType }, 'could not read the metadata of a file');
    return null;
  }
}

export const METADATA_JOB = 'metadata';

/**
 * Reads the metadata of an asset stored before Shoebox kept it (migration 0002 queues one per
 * such asset). New uploads have theirs read while they are stored (uploads/finish.ts).
 */
export function metadataJob(ctx: AppContext, log: FastifyBaseLogger): JobHandler {
  return {
    async run(job) {
      if (job.asset_id === null) throw new Error('A metadata job needs an asset.');
      const row = await ctx.db
        .selectFrom('assets')
        .selectAll()
        .where('id', '=', job.asset_id)
        .executeTakeFirst();
      if (row === undefined) return;
      const metadata = await withLocalFile(ctx.blobs, row.blob_key, ctx.tmpDir, (file) =>
        readMetadataOrNull(file, row.mime_type, log),
      );
      if (metadata === null) return;
      const captured = captureTimeFromMetadata(metadata);
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('assets')
          .set({
            ...metadataColumns(metadata),
            ...(captured === null
              ? {}
              : { captured_at: captured.at, captured_offset_minutes: captured.offsetMinutes }),
            // Its place and camera are read again from the new metadata (search/index-job.ts).
            search_source: null,
          })
          .where('id', '=', row.id)
          .execute();
        await ensureSearchIndexJob(trx, ctx.now());
        if (captured === null) return;
        // Albums and links keep a copy of the capture time to page by (migration 0011_organise).
        for (const table of ['album_assets', 'shared_link_assets'] as const) {
          await trx
            .updateTable(table)
            .set({ captured_at: captured.at })
            .where('asset_id', '=', row.id)
            .execute();
        }
      });
      ctx.jobs.wake();
    },
  };
}
