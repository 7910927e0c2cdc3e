import { ref } from 'vue';
import { filesFromDrop } from '../droppedFiles';

/**
 * A screen that takes photos, videos and folders dropped on it: `dragging` while files are over
 * it (nested elements fire enter and leave in pairs, hence the depth), then `onFiles` with what
 * the drop held, folders walked. A drop that cannot be read reaches `onProblem` as a sentence.
 */
export function useFileDrop(onFiles: (files: File[]) => void, onProblem?: (message: string) => void) {
  const dragging = ref(false);
  let depth = 0;

  function onDragEnter(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    depth += 1;
    dragging.value = true;
  }

  function onDragLeave(): void {
    depth = Math.max(0, depth - 1);
    if (depth === 0) dragging.value = false;
  }

  async function onDrop(event: DragEvent): Promise<void> {
    depth = 0;
    dragging.value = false;
    const transfer = event.dataTransfer;
    if (transfer === null) return;
    try {
      const files = await filesFromDrop(transfer);
      if (files.length > 0) onFiles(files);
    } catch (error) {
      onProblem?.(error instanceof Error ? error.message : 'Shoebox could not read what was dropped.');
    }
  }

  return { dragging, onDragEnter, onDragLeave, onDrop };
}
