import { computed, ref, shallowRef } from 'vue';
import type { ComputedRef } from 'vue';
import { installOffer } from '../installOffer';
import type { InstallOffer } from '../installOffer';

/** Chromium's `beforeinstallprompt` event (https://wicg.github.io/manifest-incubations/); not in TypeScript's DOM lib. */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>;
}

const deferred = shallowRef<BeforeInstallPromptEvent | null>(null);
const installed = ref(false);
const standalone = ref(false);
let listening = false;

/**
 * Starts listening for the browser's install events, once, as the app starts: Chromium fires
 * `beforeinstallprompt` soon after load, possibly while a screen without the header is shown.
 */
export function listenForInstallPrompt(): void {
  if (listening) return;
  listening = true;
  const display = window.matchMedia('(display-mode: standalone)');
  const readStandalone = (): void => {
    standalone.value =
      display.matches || (navigator as Navigator & { standalone?: boolean }).standalone === true;
  };
  readStandalone();
  display.addEventListener('change', readStandalone);
  window.addEventListener('beforeinstallprompt', (event) => {
    // Keeps the browser's own mini-infobar away; the prompt is shown when the user asks for it.
    event.preventDefault();
    deferred.value = event as BeforeInstallPromptEvent;
  });
  window.addEventListener('appinstalled', () => {
    installed.value = true;
    deferred.value = null;
  });
}

/** The header's install offer and the action behind its button. */
export function useInstallPrompt(): { offer: ComputedRef<InstallOffer>; install: () => Promise<void> } {
  const offer = computed(() =>
    installOffer({
      canPrompt: deferred.value !== null,
      installed: installed.value,
      standalone: standalone.value,
      userAgent: navigator.userAgent,
      maxTouchPoints: navigator.maxTouchPoints,
    }),
  );

  /** A kept prompt can be shown once; a dismissed one comes back with the browser's next event. */
  async function install(): Promise<void> {
    const event = deferred.value;
    if (event === null) return;
    deferred.value = null;
    await event.prompt();
    if ((await event.userChoice).outcome === 'accepted') installed.value = true;
  }

  return { offer, install };
}
