import type { ColumnType } from 'kysely';
import type { Role, ThumbPlaceholderCode, TokenScope } from '../../shared/api';
import type { UploadOutcome } from '../../shared/tus';

/**
 * The database as Kysely sees it. Portable types only, so the same queries run on SQLite and
 * PostgreSQL: ids are random UUIDs as text, timestamps are ISO-8601 UTC text
 * (`Date#toISOString()`, which sorts as it compares).
 */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  assets: AssetsTable;
  jobs: JobsTable;
  blobs: BlobsTable;
  login_attempts: LoginAttemptsTable;
  places: PlacesTable;
  cameras: CamerasTable;
  finished_uploads: FinishedUploadsTable;
  server_settings: ServerSettingsTable;
  albums: AlbumsTable;
  album_assets: AlbumAssetsTable;
  album_members: AlbumMembersTable;
  shared_links: SharedLinksTable;
  shared_link_assets: SharedLinkAssetsTable;
}

/** Settings of the whole server that its owner changes in the app (map tiles). */
export interface ServerSettingsTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: string;
  /** Lower-cased. */
  email: string;
  name: string;
  /** `scrypt$…`, see auth/password.ts. */
  password_hash: string;
  role: Role;
  created_at: string;
  /** Most bytes the user's assets may hold; null: no limit. */
  quota_bytes: ColumnType<number | null, number | null | undefined, number | null>;
  /** Turned off by the owner then: refused at sign-in, on every session and every token. */
  disabled_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the cookie's secret: a database leak does not hand out sessions. */
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 (hex) of the whole `sbx_…` token. */
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  /** Refused from this instant on; null: never expires. */
  expires_at: ColumnType<string | null, string | null | undefined, string | null>;
  scope: ColumnType<TokenScope, TokenScope | undefined, TokenScope>;
}

export interface AssetsTable {
  id: string;
  owner_id: string;
  filename: string;
  /** Sniffed from the stored bytes. */
  mime_type: string;
  bytes: number;
  /** SHA-256 (hex) of the stored bytes. */
  sha256: string;
  /** SHA-256 (hex) of the file as picked; unique per owner. */
  source_sha256: string;
  captured_at: string;
  uploaded_at: string;
  /** Key in the blob store (see storage/). */
  blob_key: string;
  /** Upright size (orientation applied); null when unreadable. */
  width: number | null;
  height: number | null;
  make: string | null;
  model: string | null;
  lens: string | null;
  latitude: number | null;
  longitude: number | null;
  /** Minutes east of UTC of `captured_at`, which is wall-clock time; null when unknown. */
  captured_offset_minutes: number | null;
  duration_seconds: number | null;
  thumb_state: ColumnType<ThumbStateName, ThumbStateName | undefined, ThumbStateName>;
  /** Names the thumbnails' blobs and is their ETag; set when `thumb_state` is 'ready'. */
  thumb_version: string | null;
  /** Set when `thumb_state` is 'placeholder'. */
  thumb_code: ThumbPlaceholderCode | null;
  thumb_reason: string | null;
  /** In the trash since then; null when in the library. */
  deleted_at: string | null;
  /** Search (issue 17), filled by the search index job; see PlacesTable and CamerasTable. */
  place_id: ColumnType<string | null, string | null | undefined, string | null>;
  camera_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The file name, normalised (search/normalise.ts). */
  name_key: ColumnType<string | null, string | null | undefined, string | null>;
  capture_kind: ColumnType<CaptureKind | null, CaptureKind | null | undefined, CaptureKind | null>;
  /** What the search columns were computed from; null: not yet, or to be done again. */
  search_source: ColumnType<string | null, string | null | undefined, string | null>;
  /** A favourite since then; null when not one. */
  favorited_at: string | null;
  /** Archived (left out of the timeline) since then; null when not. */
  archived_at: string | null;
  /** Quarter turns clockwise the user added, applied after the file's own orientation. */
  rotation: ColumnType<Rotation, Rotation | undefined, Rotation>;
}

export type CaptureKind = 'screenshot' | 'selfie';

/** A place photos were taken in (places/geocoder.ts); id is `country/region/city`. */
export interface PlacesTable {
  id: string;
  country_code: string;
  country: string;
  region: string | null;
  city: string | null;
  /** Normalised names, for suggestions and typed text. */
  country_key: string;
  region_key: string | null;
  city_key: string | null;
}

/** A camera (make and model as the file names them); id is `make/model`. */
export interface CamerasTable {
  id: string;
  make: string | null;
  model: string | null;
  /** As shown: the model, with the make before it unless the model already names it. */
  label: string;
  /** Normalised label. */
  key: string;
  make_key: string | null;
  /** Normalised model (migration 0014). */
  model_key: string | null;
}

export type Rotation = 0 | 90 | 180 | 270;

export type ThumbStateName = 'pending' | 'ready' | 'placeholder';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** The background job queue (jobs/queue.ts). */
export interface JobsTable {
  id: string;
  kind: string;
  /** The asset the job works on; its jobs go with it when it is purged. */
  asset_id: string | null;
  state: JobState;
  /** Runs started, the current one included. */
  attempts: number;
  /** Not claimed before this time. */
  run_after: string;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  /**
   * While running: the lease of the process running it (`locked_by`), which renews it; once it
   * has passed, that process is taken for dead and the job is queued again.
   */
  locked_until: ColumnType<string | null, string | null | undefined, string | null>;
  locked_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** At most one queued job per key (a unique index): scheduling is an insert that may find one. */
  unique_key: ColumnType<string | null, string | null | undefined, string | null>;
}

/**
 * The references to each original's blob key (storage/blob-refs.ts): the assets stored under it,
 * and the uploads storing it right now. Its bytes are deleted only by the one who takes it from
 * one reference to none.
 */
export interface BlobsTable {
  key: string;
  refs: number;
  updated_at: string;
}

/** Sign-in attempts counted per key in a fixed window (auth/login-throttle.ts). */
export interface LoginAttemptsTable {
  /** `address:…`, `account:…` or `pair:…`. */
  key: string;
  window_start: string;
  attempts: number;
}

/** What became of a finished tus upload (uploads/finished.ts). */
export interface FinishedUploadsTable {
  upload_id: string;
  owner_id: string;
  upload_length: number;
  /** The Upload-Metadata header as the client sent it, for HEAD (tus 1.0.0). */
  upload_metadata: string | null;
  state: 'finishing' | 'finished';
  /** While finishing: who verifies and stores it, and until when before another may take over. */
  claim_id: string | null;
  lease_until: string | null;
  /** Once finished. */
  asset_id: string | null;
  outcome: UploadOutcome | null;
  updated_at: string;
}

/** Booleans are 0 or 1: the same integer column on both dialects. */
type Flag = ColumnType<number, number | undefined, number>;

export interface AlbumsTable {
  id: string;
  owner_id: string;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  /** The cover the owner chose; null: the album's first photo in its order. */
  cover_asset_id: string | null;
  /** 'desc': newest first. */
  sort_order: ColumnType<'asc' | 'desc', 'asc' | 'desc' | undefined, 'asc' | 'desc'>;
  created_at: string;
  updated_at: string;
}

export interface AlbumAssetsTable {
  album_id: string;
  asset_id: string;
  /** Who put it in the album (its owner, or the album's owner). */
  added_by: string;
  added_at: string;
  /** The asset's captured_at, copied so the album's pages read one index. */
  captured_at: string;
}

export interface AlbumMembersTable {
  album_id: string;
  user_id: string;
  role: 'viewer' | 'contributor';
  /** 1: the album's photos appear in this member's timeline. */
  show_in_timeline: Flag;
  added_at: string;
}

export interface SharedLinksTable {
  id: string;
  owner_id: string;
  /** The unguessable part of the URL (24 random bytes, base64url). */
  key: string;
  /** The album shown; null for a link to a selection (shared_link_assets). */
  album_id: string | null;
  title: string;
  /** `scrypt$…` like account passwords (auth/password.ts); null: no password. */
  password_hash: string | null;
  expires_at: string | null;
  allow_download: Flag;
  /** Camera, lens and file name. */
  show_details: Flag;
  /** Where the photo was taken. */
  show_place: Flag;
  /** Times the link's page was opened. */
  view_count: Flag;
  last_used_at: string | null;
  created_at: string;
}

export interface SharedLinkAssetsTable {
  link_id: string;
  asset_id: string;
  captured_at: string;
}
