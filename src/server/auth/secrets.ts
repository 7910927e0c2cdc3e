import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: the secret half of a session cookie or an API token. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps instead of a secret. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
