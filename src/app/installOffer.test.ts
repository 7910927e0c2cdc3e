import { describe, expect, it } from 'vitest';
import { installOffer, isIosSafari } from './installOffer';

const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const IPHONE_CHROME =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1';
const IPAD_AS_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';

const browser = { canPrompt: false, installed: false, standalone: false, maxTouchPoints: 0 };

describe('isIosSafari', () => {
  it('tells Safari on iPhone and iPad from other browsers', () => {
    expect(isIosSafari(IPHONE_SAFARI, 5)).toBe(true);
    expect(isIosSafari(IPAD_AS_MAC, 5)).toBe(true);
    expect(isIosSafari(IPAD_AS_MAC, 0)).toBe(false);
    expect(isIosSafari(IPHONE_CHROME, 5)).toBe(false);
    expect(isIosSafari(ANDROID_CHROME, 5)).toBe(false);
  });
});

describe('installOffer', () => {
  it('offers the browser prompt when there is one', () => {
    expect(installOffer({ ...browser, userAgent: ANDROID_CHROME, canPrompt: true })).toBe('prompt');
  });

  it('hints at Add to Home Screen on iOS Safari only', () => {
    expect(installOffer({ ...browser, userAgent: IPHONE_SAFARI, maxTouchPoints: 5 })).toBe('ios-hint');
    expect(installOffer({ ...browser, userAgent: ANDROID_CHROME })).toBe('none');
  });

  it('offers nothing once installed or when running as the app', () => {
    expect(installOffer({ ...browser, userAgent: ANDROID_CHROME, canPrompt: true, installed: true })).toBe(
      'none',
    );
    expect(installOffer({ ...browser, userAgent: ANDROID_CHROME, canPrompt: true, standalone: true })).toBe(
      'none',
    );
    expect(installOffer({ ...browser, userAgent: IPHONE_SAFARI, maxTouchPoints: 5, standalone: true })).toBe(
      'none',
    );
  });
});
