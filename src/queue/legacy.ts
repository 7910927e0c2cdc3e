/**
 * Queue records as versions 1 and 2 of the schema stored them: one flat bag of nullable fields
 * for every state. Version 3 rewrites each into the discriminated union of item.ts, keeping every
 * item, its file and its upload's resume point (schema.ts never drops data).
 */
import { rankOf } from './item';
import type { ItemOwner, Prepared, QueueItem, UploadSession } from './item';

export interface LegacyItem {
  id: string;
  state: string;
  name: string;
  size: number;
  type: string;
  addedAt: number;
  lastModified: number | null;
  sourceSha256: string | null;
  sha256: string | null;
  capturedAt: string | null;
  attempts: number;
  upload: UploadSession | null;
  blobKey: string | null;
  uploadBlobKey?: string | null;
  uploadSize?: number | null;
  posterBlobKey?: string | null;
  note?: string | null;
  ownerId?: string | null;
  ownerEmail?: string | null;
  assetId?: string;
  outcome?: 'created' | 'duplicate';
  reason?: string;
  cause?: 'signed-out' | 'storage' | 'other-account';
  nextAttemptAt?: number;
  error?: string;
}

/** A record already in the version 3 shape (every one has `rank`), left as it is. */
export function isLegacy(record: object): record is LegacyItem {
  return !('rank' in record);
}

const MISSING_FILE = 'The file is no longer stored on this device. Add it again.';

export function fromLegacy(record: LegacyItem): QueueItem {
  const owner: ItemOwner | null =
    record.ownerId === null || record.ownerId === undefined
      ? null
      : { id: record.ownerId, email: record.ownerEmail ?? '' };
  const base = {
    id: record.id,
    name: record.name,
    size: record.size,
    type: record.type,
    rank: rankOf(record.type),
    addedAt: record.addedAt,
    lastModified: record.lastModified,
    owner,
  };
  const { sourceSha256, sha256, blobKey } = record;
  const prepared: Prepared | null =
    sourceSha256 === null || sha256 === null
      ? null
      : {
          sourceSha256,
          sha256,
          capturedAt: record.capturedAt,
          copy:
            record.uploadBlobKey === null || record.uploadBlobKey === undefined
              ? null
              : { key: record.uploadBlobKey, size: record.uploadSize ?? record.size },
          posterKey: record.posterBlobKey ?? null,
          note: record.note ?? null,
        };
  const work =
    blobKey === null
      ? null
      : prepared === null
        ? { state: 'queued' as const, blobKey }
        : { state: 'ready' as const, blobKey, prepared, upload: record.upload, attempts: record.attempts };

  switch (record.state) {
    case 'done':
      return {
        ...base,
        state: 'done',
        sourceSha256: sourceSha256 ?? '',
        sha256: sha256 ?? sourceSha256 ?? '',
        capturedAt: record.capturedAt,
        assetId: record.assetId ?? '',
        outcome: record.outcome ?? 'created',
        note: record.note ?? null,
      };
    case 'skipped':
      return { ...base, state: 'skipped', reason: record.reason ?? '', blobKey };
    case 'blocked':
      if (record.cause === 'storage' || work === null) {
        return { ...base, state: 'blocked', cause: 'storage', reason: record.reason ?? MISSING_FILE };
      }
      return {
        ...base,
        state: 'blocked',
        cause: record.cause ?? 'signed-out',
        reason: record.reason ?? '',
        resume: work,
      };
    case 'failed':
      if (work?.state === 'ready') {
        return {
          ...base,
          ...work,
          state: 'failed',
          nextAttemptAt: record.nextAttemptAt ?? 0,
          error: record.error ?? '',
        };
      }
      break;
    default:
      break;
  }
  // queued, preparing, ready, uploading, and a failed item never prepared: back to where its work
  // resumes (preparing and uploading are only ever left over from a closed app).
  if (work === null) return { ...base, state: 'skipped', reason: MISSING_FILE, blobKey: null };
  return work.state === 'queued' ? { ...base, ...work } : { ...base, ...work };
}
