import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { fromTusFailure, fromTusResponse, fromTusThrown } from './tus-errors';

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

describe('a full disk (issue 18, finding 11)', () => {
  it('is STORAGE_FULL whether the filesystem, SQLite or PostgreSQL says so', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'SQLITE_FULL', '53100'])
      expect(fromTusThrown(Object.assign(new Error('full'), { code })).code).toBe('STORAGE_FULL');
  });

  it('takes a store write failure for a full disk only when the disk has no room left', async () => {
    const writeFailed = { status_code: 500, body: 'Something went wrong receiving the file\n' };
    // A folder with room: an ordinary failure.
    expect((await fromTusFailure(writeFailed, os.tmpdir())).code).toBe('INTERNAL');
    // /proc: a filesystem with no free blocks at all, as a full disk has.
    expect((await fromTusFailure(writeFailed, '/proc')).code).toBe('STORAGE_FULL');
    expect((await fromTusFailure({ status_code: 404, body: 'gone\n' }, '/proc')).code).toBe(
      'UPLOAD_NOT_FOUND',
    );
  });
});
