/**
 * What the header offers for installing Shoebox:
 * - prompt: an "Install app" button (the browser fired `beforeinstallprompt`, Chromium);
 * - ios-hint: "Share → Add to Home Screen", since Safari on iOS has no install prompt to call;
 * - none: already installed, running as the installed app, or a browser that cannot install.
 */
export type InstallOffer = 'prompt' | 'ios-hint' | 'none';

export interface InstallFacts {
  /** A `beforeinstallprompt` event is kept and not used yet. */
  canPrompt: boolean;
  /** `appinstalled` fired, or the user accepted the prompt. */
  installed: boolean;
  /** `display-mode: standalone` matches, or Safari's `navigator.standalone`. */
  standalone: boolean;
  userAgent: string;
  /** navigator.maxTouchPoints: iPadOS Safari presents itself as a Mac, but one with a touch screen. */
  maxTouchPoints: number;
}

/** Safari on an iPhone, iPod or iPad; other iOS browsers (Chrome, Firefox, Edge…) name themselves. */
export function isIosSafari(userAgent: string, maxTouchPoints: number): boolean {
  const ios = /iPhone|iPad|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && maxTouchPoints > 1);
  return ios && /Safari\//.test(userAgent) && !/CriOS|FxiOS|EdgiOS|OPiOS|GSA\//.test(userAgent);
}

export function installOffer(facts: InstallFacts): InstallOffer {
  if (facts.installed || facts.standalone) return 'none';
  if (facts.canPrompt) return 'prompt';
  return isIosSafari(facts.userAgent, facts.maxTouchPoints) ? 'ios-hint' : 'none';
}
