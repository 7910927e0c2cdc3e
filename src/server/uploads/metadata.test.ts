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
    });
    expect(parseUploadMetadata(valid).capturedAt).toBeNull();
  });

  it('names what is missing', () => {
    expect(() => parseUploadMetadata({ filename: 'x.jpg', type: null })).toThrow(
      'The upload is missing its type, sha256, sourceSha256 (Upload-Metadata).',
    );
    expect(() => parseUploadMetadata(undefined)).toThrow(/missing its filename, type, sha256, sourceSha256/);
  });

  it('rejects a checksum that is not a SHA-256', () => {
    expect(() => parseUploadMetadata({ ...valid, sha256: 'abc' })).toThrow(
      'sha256 must be 64 hexadecimal digits (a SHA-256).',
    );
  });

  it('rejects a capturedAt that is not a date', () => {
    expect(() => parseUploadMetadata({ ...valid, capturedAt: 'last summer' })).toThrow(/capturedAt/);
  });

  it('keeps only the last path segment of a filename and drops control characters', () => {
    expect(parseUploadMetadata({ ...valid, filename: 'C:\\photos\\trip/\u0007beach.jpg' }).filename).toBe(
      'beach.jpg',
    );
  });
});
