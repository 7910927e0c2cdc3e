/**
 * Where the app serves its own copy of browser-image-compression's UMD build, relative to the
 * app's base URL. The library loads this file with `importScripts(libURL)` when it makes its own
 * worker; by default it would fetch it from cdn.jsdelivr.net, which an offline PWA (and a user who
 * did not agree to third-party requests) cannot rely on. vite.config.ts emits the file here.
 */
export const IMAGE_COMPRESSION_LIB_FILE = 'vendor/browser-image-compression.js';

/** The CDN default in browser-image-compression 2.0.2 that the build replaces with our copy. */
export const IMAGE_COMPRESSION_CDN_URL =
  'https://cdn.jsdelivr.net/npm/browser-image-compression@2.0.2/dist/browser-image-compression.js';
