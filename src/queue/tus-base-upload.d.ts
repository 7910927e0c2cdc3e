/**
 * tus-js-client's environment-neutral core. The package's browser entry (the default import)
 * also imports its localStorage URL storage, which evaluates `'localStorage' in window` at module
 * load: in a service worker `window` is undefined, the ReferenceError escapes and the worker
 * script fails to evaluate. The core takes every platform piece (httpStack, fileReader,
 * urlStorage, fingerprint) as an option, which is how Shoebox uses it anyway.
 */
declare module 'tus-js-client/lib.esm/upload.js' {
  import type { Upload, UploadOptions } from 'tus-js-client';

  /** Unlike the entries' Upload, the core does not merge its defaults in: pass them yourself. */
  const BaseUpload: typeof Upload & { defaultOptions: UploadOptions };
  export default BaseUpload;
}
