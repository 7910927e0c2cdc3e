/** Types of the JSON API under /api. */
import type { Limits } from './limits';

export type Role = 'owner' | 'member';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface ConfigResponse {
  limits: Limits;
  /** True while the server has no account: the app shows "Create your account". */
  setupRequired: boolean;
  tus: { endpoint: string; chunkSize: number };
}

export interface SetupRequest {
  email: string;
  name: string;
  password: string;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export type CreateUserRequest = SetupRequest & { role?: Role };

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreateTokenRequest {
  name: string;
}

/** The secret is shown once, at creation. */
export interface CreatedToken extends ApiToken {
  token: string;
}

export interface Asset {
  id: string;
  filename: string;
  mimeType: string;
  bytes: number;
  /** SHA-256 (hex) of the stored bytes. */
  sha256: string;
  /** SHA-256 (hex) of the file as the user picked it. */
  sourceSha256: string;
  /** Capture time as an ISO string; the EXIF wall-clock time when the file carries no zone. */
  capturedAt: string;
  uploadedAt: string;
}

export interface AssetPage {
  items: Asset[];
  /** Pass as `?cursor=` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const CHECK_BATCH_MAX = 500;

export interface CheckRequest {
  sourceSha256: string[];
}

export interface CheckResponse {
  existing: { sourceSha256: string; id: string }[];
}

export const PASSWORD_MIN_LENGTH = 8;
