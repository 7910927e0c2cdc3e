/** What the client and the server agree on for tus uploads (https://tus.io/protocols/resumable-upload). */
export const TUS_ENDPOINT = '/api/uploads';

/** Chunks of at most 8 MiB (DESIGN §4): a photo fits one PATCH, a video resumes at most 8 MiB back. */
export const TUS_CHUNK_SIZE = 8 * 1024 * 1024;

/** Keys of the Upload-Metadata header. */
export interface UploadMetadata {
  /** The file's name as picked. */
  filename: string;
  /** The sniffed MIME type of the bytes uploaded. */
  type: string;
  /** SHA-256 (hex) of the bytes uploaded: the compressed copy under Storage saver. */
  sha256: string;
  /** SHA-256 (hex) of the file as picked: the photo's identity for its owner. */
  sourceSha256: string;
  /** ISO 8601 capture time known to the client (EXIF or the file's date); the server prefers its own EXIF reading. */
  capturedAt?: string;
  /**
   * An album to put the asset in once stored (issue 16: a folder added as an album). Checked
   * against the uploader's rights when the upload finishes; the photo is kept either way.
   */
  albumId?: string;
}

export const REQUIRED_METADATA = ['filename', 'type', 'sha256', 'sourceSha256'] as const;

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Response headers of the final PATCH: which asset the upload became. */
export const ASSET_ID_HEADER = 'Shoebox-Asset-Id';
export const UPLOAD_OUTCOME_HEADER = 'Shoebox-Upload-Outcome';
export type UploadOutcome = 'created' | 'duplicate';
