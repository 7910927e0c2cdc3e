/**
 * The port through which the drain has files prepared (sniffed, checked against the limits,
 * hashed, dated and, under Storage saver, compressed). The work itself lives in src/media; the
 * page hands the drain its worker pool and the service worker hands it `prepareFile`, so the
 * queue never imports what prepares (STYLE.md: a port, not an import).
 */
import type { Limits } from '../shared/limits';
import type { Quality } from './settings';

/** What preparing found out, as QueueDb.markReady stores it. */
export interface PreparedFields {
  /** The sniffed MIME type. */
  type: string;
  sourceSha256: string;
  sha256: string;
  capturedAt: string | null;
  /** The copy to upload instead of the original (Storage saver); `sha256` is its hash. */
  uploadBlob?: Blob | undefined;
  /** A remark shown on the item, e.g. "Kept the original: …". */
  note?: string | undefined;
  /** A video's poster frame, taken by the page (src/media/poster.ts), to send after the upload. */
  posterBlob?: Blob | undefined;
}

export type PrepareResult = { kind: 'ready'; fields: PreparedFields } | { kind: 'skipped'; reason: string };

export interface PrepareInput {
  blob: Blob;
  /** File.lastModified at pick time, the capture date when EXIF has none. */
  lastModified: number | null;
  limits: Limits;
  /** Storage saver (photos recompressed, at most 16 MP) or the file byte for byte. */
  quality: Quality;
  signal?: AbortSignal | undefined;
}

/** Prepares one file. Read errors and aborts reject; everything about the file is in the result. */
export type Preparer = (input: PrepareInput) => Promise<PrepareResult>;
