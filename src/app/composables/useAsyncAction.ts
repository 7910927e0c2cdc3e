import { ref } from 'vue';
import type { Ref } from 'vue';

/**
 * Runs a user action (a form submit, a button) once at a time, with its failure kept as a
 * sentence to show next to it.
 */
export function useAsyncAction(): {
  pending: Ref<boolean>;
  error: Ref<string | null>;
  run: (action: () => Promise<void>) => Promise<void>;
} {
  const pending = ref(false);
  const error = ref<string | null>(null);

  async function run(action: () => Promise<void>): Promise<void> {
    if (pending.value) return;
    pending.value = true;
    error.value = null;
    try {
      await action();
    } catch (caught) {
      error.value =
        caught instanceof Error && caught.message !== ''
          ? caught.message
          : 'Something went wrong. Try again.';
    } finally {
      pending.value = false;
    }
  }

  return { pending, error, run };
}
