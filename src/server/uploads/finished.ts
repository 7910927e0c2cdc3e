import { randomUUID } from 'node:crypto';
import type { UploadOutcome } from '../../shared/tus';
import type { Db } from '../db';

/** A finished upload as a HEAD answers it: complete, and which asset it became. */
export interface FinishedUpload {
  uploadId: string;
  ownerId: string;
  length: number;
  /** The Upload-Metadata header as the client sent it, or null. */
  metadata: string | null;
  assetId: string;
  outcome: UploadOutcome;
}

/**
 * Who may verify and store a complete upload: `claimed` (this request, with the claim's id),
 * `finished` (done already), or `busy` (another request is at it and its lease runs).
 */
export type FinishClaim =
  { state: 'claimed'; claimId: string } | { state: 'finished'; upload: FinishedUpload } | { state: 'busy' };

export interface FinishingUpload {
  uploadId: string;
  ownerId: string;
  length: number;
  metadata: string | null;
}

/**
 * How long a claim holds before another request may take the upload over: longer than verifying
 * and storing the largest upload takes, so that only a process that died leaves one to expire.
 */
export const FINISH_LEASE_MS = 5 * 60 * 1000;

function asFinished(row: {
  upload_id: string;
  owner_id: string;
  upload_length: number | string;
  upload_metadata: string | null;
  state: string;
  asset_id: string | null;
  outcome: UploadOutcome | null;
}): FinishedUpload | null {
  if (row.state !== 'finished' || row.asset_id === null || row.outcome === null) return null;
  return {
    uploadId: row.upload_id,
    ownerId: row.owner_id,
    // PostgreSQL's driver reads a bigint as a string.
    length: Number(row.upload_length),
    metadata: row.upload_metadata,
    assetId: row.asset_id,
    outcome: row.outcome,
  };
}

const COLUMNS = [
  'upload_id',
  'owner_id',
  'upload_length',
  'upload_metadata',
  'state',
  'claim_id',
  'lease_until',
  'asset_id',
  'outcome',
] as const;

/**
 * Claims a complete upload for verifying and storing it, in the database so that every process
 * agrees: one request at a time finishes an upload, whichever process it reached.
 */
export async function claimFinish(db: Db, upload: FinishingUpload, now: Date): Promise<FinishClaim> {
  const claimId = randomUUID();
  const leaseUntil = new Date(now.getTime() + FINISH_LEASE_MS).toISOString();
  const inserted = await db
    .insertInto('finished_uploads')
    .values({
      upload_id: upload.uploadId,
      owner_id: upload.ownerId,
      upload_length: upload.length,
      upload_metadata: upload.metadata,
      state: 'finishing',
      claim_id: claimId,
      lease_until: leaseUntil,
      asset_id: null,
      outcome: null,
      updated_at: now.toISOString(),
    })
    .onConflict((conflict) => conflict.column('upload_id').doNothing())
    .executeTakeFirst();
  if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) return { state: 'claimed', claimId };

  const row = await db
    .selectFrom('finished_uploads')
    .select(COLUMNS)
    .where('upload_id', '=', upload.uploadId)
    .executeTakeFirst();
  // Released between the insert and the read: the next attempt claims it.
  if (row === undefined) return { state: 'busy' };
  const finished = asFinished(row);
  if (finished !== null) return { state: 'finished', upload: finished };
  if (row.lease_until !== null && row.lease_until > now.toISOString()) return { state: 'busy' };
  // The request that claimed it stopped (its process died): this one takes over.
  const taken = await db
    .updateTable('finished_uploads')
    .set({ claim_id: claimId, lease_until: leaseUntil, updated_at: now.toISOString() })
    .where('upload_id', '=', upload.uploadId)
    .where('state', '=', 'finishing')
    .where('claim_id', row.claim_id === null ? 'is' : '=', row.claim_id)
    .executeTakeFirst();
  return taken.numUpdatedRows > 0n ? { state: 'claimed', claimId } : { state: 'busy' };
}

/** Records what the claimed upload became; HEAD answers with it from now on. */
export async function recordFinished(
  db: Db,
  uploadId: string,
  result: { assetId: string; outcome: UploadOutcome },
  now: Date,
): Promise<void> {
  await db
    .updateTable('finished_uploads')
    .set({
      state: 'finished',
      claim_id: null,
      lease_until: null,
      asset_id: result.assetId,
      outcome: result.outcome,
      updated_at: now.toISOString(),
    })
    .where('upload_id', '=', uploadId)
    .execute();
}

/** Gives up a claim whose upload could not be stored (it is discarded): the record goes. */
export async function releaseFinish(db: Db, uploadId: string, claimId: string): Promise<void> {
  await db
    .deleteFrom('finished_uploads')
    .where('upload_id', '=', uploadId)
    .where('claim_id', '=', claimId)
    .where('state', '=', 'finishing')
    .execute();
}

/** The upload's record: finished, being finished, or none (unknown, or unfinished). */
export async function findFinish(
  db: Db,
  uploadId: string,
): Promise<{ state: 'finished'; upload: FinishedUpload } | { state: 'finishing' } | null> {
  const row = await db
    .selectFrom('finished_uploads')
    .select(COLUMNS)
    .where('upload_id', '=', uploadId)
    .executeTakeFirst();
  if (row === undefined) return null;
  const finished = asFinished(row);
  return finished === null ? { state: 'finishing' } : { state: 'finished', upload: finished };
}

/** Deletes the records of uploads finished before `before`; answers how many. */
export async function pruneFinished(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('finished_uploads')
    .where('state', '=', 'finished')
    .where('updated_at', '<', before.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
