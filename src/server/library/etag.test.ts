import { describe, expect, it } from 'vitest';
import { ifNoneMatchMatches } from './etag';

describe('ifNoneMatchMatches', () => {
  it.each([
    [undefined, false],
    ['"abc-s"', true],
    ['W/"abc-s"', true],
    ['"other", "abc-s"', true],
    ['*', true],
    ['"abc-l"', false],
    ['abc-s', false],
  ])('%j', (header, expected) => {
    expect(ifNoneMatchMatches(header, '"abc-s"')).toBe(expected);
  });
});
