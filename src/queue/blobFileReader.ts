import type { FileReader as TusFileReader, FileSource, SliceResult } from 'tus-js-client';

/**
 * tus-js-client's file reader for a Blob, the same in every runtime: chunks are Blob slices,
 * which fetch streams from disk without copying them into JS memory. (The package's own reader
 * is picked per platform, and its Node build does not read Blobs, which the unit tests need.)
 */
export class BlobFileReader implements TusFileReader {
  openFile(input: unknown): Promise<FileSource> {
    if (!(input instanceof Blob)) return Promise.reject(new Error('Shoebox uploads only Blobs.'));
    const blob = input;
    return Promise.resolve({
      size: blob.size,
      slice(start: number, end: number): Promise<SliceResult> {
        return Promise.resolve({ value: blob.slice(start, end), done: end >= blob.size });
      },
      close(): void {
        // A Blob holds no handle to release.
      },
    });
  }
}
