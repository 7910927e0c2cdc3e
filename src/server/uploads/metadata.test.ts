import { describe, expect, it } from 'vitest';
import { parseUploadMetadata } from './metadata';

const SHA = 'a'.repeat(64);
const valid = { filename: 'IMG_1.jpg', type: 'image/jpeg', sha256: SHA, sourceSha256: 'B'.repeat(64) };

describe('parseUploadMetadata', () => {
  it('accepts the keys of src/shared/tus.ts and normalises them', () => {
    expect(parseUploadMetadata({ ...valid, capturedAt: '2018-07-25T16:34:23+02:00' })).toEqual({
      filename: 'IMG_1.jpg',
      type: 'image/jpeg',
      sha256: SHA,
      sourceSha256: 'b'.repeat(64),
      capturedAt: { at: '2018-07-25T16:34:23.000Z', offsetMinutes: 120 },
      albumId: null,
    });
    expect(parseUploadMetadata(valid).capturedAt).toBeNull();
  });

  it('needs no key at all: a generic tus client may send none', () => {
    const none = {
      filename: null,
      type: null,
      sha256: null,
      sourceSha256: null,
      capturedAt: null,
      albumId: null,
    };
    expect(parseUploadMetadata(undefined)).toEqual(none);
    expect(parseUploadMetadata({ filename: ' ', type: null })).toEqual(none);
  });

  it('reads the names tus-js-client and Uppy use: name and filetype', () => {
    expect(parseUploadMetadata({ name: 'beach.JPG', filetype: 'Image/JPEG' })).toMatchObject({
      filename: 'beach.JPG',
      type: 'image/jpeg',
    });
    // Shoebox's own keys win where a client sends both.
    expect(
      parseUploadMetadata({ filename: 'a.jpg', name: 'b.jpg', type: 'image/heic', filetype: 'image/jpeg' }),
    ).toMatchObject({ filename: 'a.jpg', type: 'image/heic' });
  });

  it('rejects a checksum that is not a SHA-256', () => {
    expect(() => parseUploadMetadata({ ...valid, sha256: 'abc' })).toThrow(
      'sha256 must be 64 hexadecimal digits (a SHA-256).',
    );
    expect(() => parseUploadMetadata({ sourceSha256: 'x'.repeat(64) })).toThrow(/sourceSha256/);
  });

  it('rejects a capturedAt that is not a date', () => {
    expect(() => parseUploadMetadata({ ...valid, capturedAt: 'last summer' })).toThrow(/capturedAt/);
  });

  it('keeps only the last path segment of a filename and drops control characters', () => {
    expect(parseUploadMetadata({ ...valid, filename: 'C:\\photos\\trip/\u0007beach.jpg' }).filename).toBe(
      'beach.jpg',
    );
  });

  it('takes an album id, and refuses what cannot be one', () => {
    const id = '0b9f4c1e-3a52-4f0e-9d7b-1c2e3f4a5b6c';
    expect(parseUploadMetadata({ ...valid, albumId: id }).albumId).toBe(id);
    expect(() => parseUploadMetadata({ ...valid, albumId: "'; drop table albums; --" })).toThrow(/albumId/);
    expect(() => parseUploadMetadata({ ...valid, albumId: 'a'.repeat(65) })).toThrow(/albumId/);
  });
});
