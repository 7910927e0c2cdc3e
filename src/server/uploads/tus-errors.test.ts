import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { fromTusResponse, fromTusThrown } from './tus-errors';

describe('tus errors', () => {
  it('keep the statuses a tus client acts on', () => {
    expect(fromTusThrown({ status_code: 404, body: 'The file for this url was not found\n' }).code).toBe(
      'UPLOAD_NOT_FOUND',
    );
    expect(fromTusThrown({ status_code: 409, body: 'Upload-Offset conflict\n' }).status).toBe(409);
    expect(fromTusThrown({ status_code: 413, body: 'Maximum size exceeded\n' }).status).toBe(413);
    expect(fromTusResponse(412, 'Tus-Resumable Required\n').status).toBe(412);
  });

  it('turn protocol errors into a sentence', () => {
    expect(fromTusResponse(400, 'Invalid upload-offset\n').message).toBe(
      'The upload request was rejected: Invalid upload-offset.',
    );
    expect(fromTusThrown({ status_code: 403, body: 'Upload-Offset header required\n' }).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('pass ApiErrors through and hide everything else', () => {
    const error = new ApiError('CHECKSUM_MISMATCH');
    expect(fromTusThrown(error)).toBe(error);
    expect(fromTusThrown(new Error('disk on fire')).code).toBe('INTERNAL');
    expect(fromTusResponse(460, JSON.stringify(error.body)).code).toBe('CHECKSUM_MISMATCH');
  });
});
