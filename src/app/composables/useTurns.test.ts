import { describe, expect, it } from 'vitest';
import type { Asset, Rotation } from '../../shared/api';
import { useTurns } from './useTurns';

/** The asset as the server answers after each turn: only its rotation matters here. */
function photo(rotation: Rotation, id = 'a'): Asset {
  return { id, rotation } as Asset;
}

describe('useTurns', () => {
  it('turns a quarter clockwise each time, past 270 back to 0', () => {
    const asked: Rotation[] = [];
    const turns = useTurns((_asset, rotation) => asked.push(rotation));
    for (const rotation of [0, 90, 180, 270] as const) turns.rotate(photo(rotation));
    expect(asked).toEqual([90, 180, 270, 0]);
  });

  it('undoes the turns made, one at a time, back to where the photo was', () => {
    const asked: Rotation[] = [];
    const turns = useTurns((_asset, rotation) => asked.push(rotation));
    expect(turns.canUndo.value).toBe(false);
    turns.rotate(photo(90));
    turns.rotate(photo(180));
    expect(turns.canUndo.value).toBe(true);
    turns.undo(photo(270));
    turns.undo(photo(180));
    expect(asked).toEqual([180, 270, 180, 90]);
    expect(turns.canUndo.value).toBe(false);
  });

  it('goes back to the original, which can itself be undone', () => {
    const asked: Rotation[] = [];
    const turns = useTurns((_asset, rotation) => asked.push(rotation));
    turns.toOriginal(photo(270));
    turns.undo(photo(0));
    expect(asked).toEqual([0, 270]);
  });

  it('keeps each photo its own turns', () => {
    const turns = useTurns(() => undefined);
    turns.rotate(photo(0, 'a'));
    turns.show('b');
    expect(turns.canUndo.value).toBe(false);
    turns.show('a');
    expect(turns.canUndo.value).toBe(true);
  });
});
