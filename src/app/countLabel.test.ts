import { describe, expect, it } from 'vitest';
import { countLabel, itemsLabel } from './countLabel';

describe('countLabel', () => {
  it('words counts as en-US does, thousands grouped', () => {
    for (const count of [0, 1, 8, 999, 1000, 1234, 1_000_000, -1500, 2.5]) {
      expect(countLabel(count)).toBe(count.toLocaleString('en-US'));
    }
    expect(countLabel(12_345)).toBe('12,345');
  });

  it('words a number of items, one in the singular', () => {
    expect([0, 1, 2, 1234].map(itemsLabel)).toEqual(['0 items', '1 item', '2 items', '1,234 items']);
  });
});
