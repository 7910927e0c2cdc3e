import { ref } from 'vue';
import type { Asset, Rotation } from '../../shared/api';

/**
 * The viewer's rotate (issue 16), non-destructive: each turn asks for the photo's whole rotation
 * from the original (`turn`), and the turns made while the viewer is open are kept per photo, so
 * that "Undo rotate" goes back one and "Back to original" is itself undone like a turn.
 */
export function useTurns(turn: (asset: Asset, rotation: Rotation) => void) {
  const history = new Map<string, Rotation[]>();
  /** The photo shown has a turn to undo. */
  const canUndo = ref(false);

  function turnTo(asset: Asset, rotation: Rotation): void {
    history.set(asset.id, [...(history.get(asset.id) ?? []), asset.rotation]);
    canUndo.value = true;
    turn(asset, rotation);
  }

  /** A quarter turn clockwise. */
  function rotate(asset: Asset): void {
    turnTo(asset, ((asset.rotation + 90) % 360) as Rotation);
  }

  function toOriginal(asset: Asset): void {
    turnTo(asset, 0);
  }

  function undo(asset: Asset): void {
    const earlier = history.get(asset.id) ?? [];
    const previous = earlier.pop();
    canUndo.value = earlier.length > 0;
    if (previous !== undefined) turn(asset, previous);
  }

  /** The viewer shows another photo. */
  function show(id: string | undefined): void {
    canUndo.value = id !== undefined && (history.get(id)?.length ?? 0) > 0;
  }

  return { canUndo, rotate, toOriginal, undo, show };
}
