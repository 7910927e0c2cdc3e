import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';

describe('asset cursor', () => {
  it('round-trips and is URL-safe', () => {
    const cursor = { key: '2018-07-25T16:34:23.000Z', id: 'ff0e5f1c-3a39-4c43-9d0f-4b1b5c1b2a10' };
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  it.each([
    '',
    'not base64!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('[').toString('base64url'),
  ])('rejects %j', (value) => {
    expect(decodeCursor(value)).toBeNull();
  });
});
