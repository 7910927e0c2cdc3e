import { computed, shallowRef } from 'vue';

/** The indices from `anchor` to `index`, both included, in either direction. */
export function rangeIndices(anchor: number, index: number): number[] {
  const low = Math.min(anchor, index);
  const high = Math.max(anchor, index);
  return Array.from({ length: high - low + 1 }, (_, i) => low + i);
}

/**
 * Multi-select over a list addressed by index: toggle one, shift-extend a range from the last
 * toggled item (as file managers do), clear. `idAt` maps an index to an id, or undefined for an
 * item not loaded yet (it is left out of a range).
 */
export function useSelection(idAt: (index: number) => string | undefined) {
  const selected = shallowRef<ReadonlySet<string>>(new Set());
  let anchor: number | null = null;

  const count = computed(() => selected.value.size);
  const active = computed(() => selected.value.size > 0);

  function isSelected(id: string): boolean {
    return selected.value.has(id);
  }

  function toggle(index: number): void {
    const id = idAt(index);
    if (id === undefined) return;
    const next = new Set(selected.value);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    selected.value = next;
    anchor = index;
  }

  /** Shift-click: selects everything between the anchor and `index` (or toggles with no anchor). */
  function extendTo(index: number): void {
    if (anchor === null) {
      toggle(index);
      return;
    }
    const next = new Set(selected.value);
    for (const i of rangeIndices(anchor, index)) {
      const id = idAt(i);
      if (id !== undefined) next.add(id);
    }
    selected.value = next;
    anchor = index;
  }

  /** The selection as it is, for `applyDrag` to add to. */
  function snapshot(): ReadonlySet<string> {
    return selected.value;
  }

  /**
   * A drag (a mouse drag, or a finger after a long press) from `from` to `to`: the selection is
   * what it was when the drag started plus every item in between, so dragging back unselects
   * what the drag itself added.
   */
  function applyDrag(base: ReadonlySet<string>, from: number, to: number): void {
    const next = new Set(base);
    for (const i of rangeIndices(from, to)) {
      const id = idAt(i);
      if (id !== undefined) next.add(id);
    }
    selected.value = next;
    anchor = to;
  }

  /** Selects all of `ids` (a day, everything), or unselects them all when all are selected. */
  function toggleAll(ids: readonly string[]): void {
    const next = new Set(selected.value);
    const all = ids.length > 0 && ids.every((id) => next.has(id));
    for (const id of ids) {
      if (all) next.delete(id);
      else next.add(id);
    }
    selected.value = next;
  }

  /** Adds `ids` to the selection. */
  function add(ids: readonly string[]): void {
    const next = new Set(selected.value);
    for (const id of ids) next.add(id);
    selected.value = next;
  }

  function clear(): void {
    selected.value = new Set();
    anchor = null;
  }

  /** Forgets ids that left the list (deleted, restored). */
  function forget(ids: Iterable<string>): void {
    const next = new Set(selected.value);
    for (const id of ids) next.delete(id);
    selected.value = next;
    if (next.size === 0) anchor = null;
  }

  return {
    selected,
    count,
    active,
    isSelected,
    toggle,
    extendTo,
    snapshot,
    applyDrag,
    toggleAll,
    add,
    clear,
    forget,
  };
}

export type Selection = ReturnType<typeof useSelection>;
