/**
 * Test setup, imported first by unit tests that run exifr on Blobs in Node: exifr reads Blobs only
 * where it sees a browser (a `navigator` with a userAgent), through FileReader, which Node lacks.
 * Both are given before exifr is loaded, as in a page or a worker. Import it before anything
 * that imports exifr: ES modules are evaluated in the order of their imports.
 */
class NodeFileReader {
  result: ArrayBuffer | null = null;
  onloadend: (() => void) | null = null;
  onerror: ((error: unknown) => void) | null = null;

  readAsArrayBuffer(blob: Blob): void {
    blob.arrayBuffer().then(
      (buffer) => {
        this.result = buffer;
        this.onloadend?.();
      },
      (error: unknown) => this.onerror?.(error),
    );
  }
}

Object.assign(globalThis, { navigator: { userAgent: 'vitest' }, FileReader: NodeFileReader });
