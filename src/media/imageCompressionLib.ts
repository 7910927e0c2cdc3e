/**
 * Where the app serves its own copy of browser-image-compression's UMD build, relative to the
 * app's base URL. The library loads this file with `importScripts(libURL)` when it makes its own
 * worker; by default it would fetch it from a public CDN, which an offline PWA (and a user who
 * did not agree to third-party requests) cannot rely on. vite.config.ts emits the file here.
 */
export const IMAGE_COMPRESSION_LIB_FILE = 'vendor/browser-image-compression.js';
