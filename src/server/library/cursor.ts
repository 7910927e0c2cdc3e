/** Position in the timeline: the last asset of the previous page. */
export interface AssetCursor {
  capturedAt: string;
  id: string;
}

/** Opaque to clients: base64url of `[capturedAt, id]`. */
export function encodeCursor(cursor: AssetCursor): string {
  return Buffer.from(JSON.stringify([cursor.capturedAt, cursor.id]), 'utf8').toString('base64url');
}

/** Null for anything `encodeCursor` did not produce. */
export function decodeCursor(value: string): AssetCursor | null {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(value)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [capturedAt, id] = parsed as unknown[];
  if (typeof capturedAt !== 'string' || typeof id !== 'string' || capturedAt === '' || id === '') return null;
  return { capturedAt, id };
}
