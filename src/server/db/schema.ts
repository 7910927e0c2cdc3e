import type { Role } from '../../shared/api';

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
}
