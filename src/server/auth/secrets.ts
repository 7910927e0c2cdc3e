import { hash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: the secret half of a session cookie or an API token. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the database keeps instead of a secret. Every authenticated request hashes its secret:
 * the one-shot hash() makes no Hash object to stream into.
 */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}
