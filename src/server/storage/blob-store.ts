import type { Readable } from 'node:stream';

/** An inclusive byte range, as in HTTP: `{ start: 0, end: 0 }` is the first byte. */
export interface ByteRange {
  start: number;
  end: number;
}

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** The key's segments, or an error for a key that could name something outside its store. */
export function keySegments(key: string): string[] {
  const segments = key.split('/');
  if (segments.some((segment) => !SEGMENT.test(segment) || segment === '.' || segment === '..')) {
    throw new Error(`Invalid blob key: ${JSON.stringify(key)}`);
  }
  return segments;
}

/**
 * Where originals and thumbnails live. One interface, one implementation per backend (the
 * filesystem by default, S3-compatible object storage when configured), each held to the shared
 * contract in blob-store.contract.ts. Keys are `/`-separated segments of `[A-Za-z0-9._-]`.
 */
export interface BlobStore {
  /**
   * Takes ownership of the local file at `sourcePath` and stores it under `key`, durably, before
   * resolving. Content-addressed keys mean an existing key already holds these bytes: the source
   * is then discarded.
   */
  putFile(key: string, sourcePath: string): Promise<void>;
  /** Rejects when there is no such blob. */
  createReadStream(key: string, range?: ByteRange): Promise<Readable>;
  /** Null when there is no such blob. */
  stat(key: string): Promise<{ size: number } | null>;
  exists(key: string): Promise<boolean>;
  /** Deleting a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Where the blob lies on this machine's disk, for a store that keeps it there: readers that
   * need a file (sharp, libheif) then skip a copy. See `withLocalFile`.
   */
  localPath?(key: string): string;
}

/**
 * Thumbnails live in their own store, per owner and asset; `version` is a hash of their bytes, so
 * a key never changes content (which the content-addressed `putFile` relies on).
 */
export function thumbKeyFor(ownerId: string, assetId: string, version: string, size: 's' | 'l'): string {
  return `${ownerId}/${assetId}/${version}-${size}.webp`;
}

/** Originals are stored per owner, addressed by the SHA-256 of their bytes. */
export function blobKeyFor(ownerId: string, sha256: string): string {
  return `${ownerId}/${sha256.slice(0, 2)}/${sha256}`;
}
