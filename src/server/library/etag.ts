/**
 * Whether an If-None-Match header matches `etag` (RFC 9110 §13.1.2): `*`, or a list of entity
 * tags compared weakly ("A recipient MUST use the weak comparison function when comparing
 * entity tags for If-None-Match").
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((tag) => opaque(tag) === wanted);
}
