/**
 * Position in a keyset-paged listing: the sort key (capture time in the timeline, trash time in
 * the trash) and id of the last item of the previous page.
 */
export interface KeysetCursor {
  key: string;
  id: string;
}

/** Opaque to clients: base64url of `[key, id]`. */
export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id]), 'utf8').toString('base64url');
}

/** Null for anything `encodeCursor` did not produce. */
export function decodeCursor(value: string): KeysetCursor | null {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(value)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [key, id] = parsed as unknown[];
  if (typeof key !== 'string' || typeof id !== 'string' || key === '' || id === '') return null;
  return { key, id };
}
