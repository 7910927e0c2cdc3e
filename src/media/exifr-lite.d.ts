/**
 * The one function we use from exifr's "lite" bundle (JPEG and HEIC/AVIF). Declared here because
 * exifr's own index.d.ts starts with `/// <reference types="node" />`, which would pull Node's
 * globals into the DOM and WebWorker programs.
 */
declare module 'exifr/dist/lite.esm.mjs' {
  interface SegmentOptions {
    pick?: string[];
  }
  interface ParseOptions {
    ifd0?: false | SegmentOptions;
    ifd1?: boolean;
    exif?: boolean | SegmentOptions;
    gps?: boolean;
    interop?: boolean;
    xmp?: boolean;
    icc?: boolean;
    iptc?: boolean;
    jfif?: boolean;
    ihdr?: boolean;
    reviveValues?: boolean;
    translateValues?: boolean;
  }
  export function parse(
    input: Blob | ArrayBuffer | Uint8Array,
    options?: ParseOptions,
  ): Promise<Record<string, unknown> | undefined>;
}
