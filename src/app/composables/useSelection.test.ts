import { describe, expect, it } from 'vitest';
import { rangeIndices, useSelection } from './useSelection';

describe('rangeIndices', () => {
  it('includes both ends, in either direction', () => {
    expect(rangeIndices(2, 5)).toEqual([2, 3, 4, 5]);
    expect(rangeIndices(5, 2)).toEqual([2, 3, 4, 5]);
    expect(rangeIndices(3, 3)).toEqual([3]);
  });
});

describe('useSelection', () => {
  const ids = ['a', 'b', undefined, 'd', 'e', 'f'];
  const make = () => useSelection((index) => ids[index]);

  it('toggles one item on and off', () => {
    const selection = make();
    selection.toggle(1);
    expect(selection.isSelected('b')).toBe(true);
    expect(selection.count.value).toBe(1);
    selection.toggle(1);
    expect(selection.active.value).toBe(false);
  });

  it('extends from the last toggled item, skipping unloaded ones', () => {
    const selection = make();
    selection.toggle(0);
    selection.extendTo(4);
    expect([...selection.selected.value].sort()).toEqual(['a', 'b', 'd', 'e']);
    selection.extendTo(5);
    expect(selection.count.value).toBe(5);
  });

  it('treats a shift-click with no anchor as a toggle, and forgets removed ids', () => {
    const selection = make();
    selection.extendTo(3);
    expect([...selection.selected.value]).toEqual(['d']);
    selection.forget(['d']);
    expect(selection.active.value).toBe(false);
    selection.toggle(5);
    selection.clear();
    expect(selection.count.value).toBe(0);
  });
});

describe('useSelection for days, everything and drags', () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const make = () => useSelection((index) => ids[index]);

  it('selects a whole group, and unselects it when all of it was selected', () => {
    const selection = make();
    selection.toggle(0);
    selection.toggleAll(['a', 'b', 'c']);
    expect(selection.count.value).toBe(3);
    selection.toggleAll(['a', 'b', 'c']);
    expect(selection.count.value).toBe(0);
    selection.add(ids);
    expect(selection.count.value).toBe(6);
  });

  it('adds what a drag covers to what was selected before it, in either direction', () => {
    const selection = make();
    selection.toggle(5);
    const base = selection.snapshot();
    selection.applyDrag(base, 1, 3);
    expect([...selection.selected.value].sort()).toEqual(['b', 'c', 'd', 'f']);
    // Dragging back over fewer items drops those the drag added, not what was there before.
    selection.applyDrag(base, 1, 0);
    expect([...selection.selected.value].sort()).toEqual(['a', 'b', 'f']);
  });
});
