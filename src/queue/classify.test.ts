import { describe, expect, it } from 'vitest';
import { errorBody } from '../shared/errors';
import { classifyHttpAnswer, classifyRequestError, classifyUploadError } from './classify';
import { ApiError, NetworkError } from './http';

const answer = (status: number, body = '', retryAfterMs: number | null = null) => ({
  status,
  body,
  retryAfterMs,
});

describe('classifyHttpAnswer', () => {
  it('blocks on 401', () => {
    expect(classifyHttpAnswer(answer(401))).toEqual({ kind: 'signed-out' });
  });

  it('retries 5xx and 429 as passing trouble, with Retry-After', () => {
    expect(classifyHttpAnswer(answer(503, '', 5000))).toMatchObject({
      kind: 'transient',
      retryAfterMs: 5000,
    });
    expect(classifyHttpAnswer(answer(429, JSON.stringify(errorBody('RATE_LIMITED'))))).toEqual({
      kind: 'transient',
      message: 'Too many attempts. Wait a minute and try again.',
      retryAfterMs: null,
    });
  });

  it('starts over after a checksum mismatch or a vanished upload', () => {
    expect(classifyHttpAnswer(answer(460, JSON.stringify(errorBody('CHECKSUM_MISMATCH'))))).toEqual({
      kind: 'restart',
      message: 'The uploaded bytes do not match their checksum. The file will be sent again.',
    });
    expect(classifyHttpAnswer(answer(404)).kind).toBe('restart');
    expect(classifyHttpAnswer(answer(410)).kind).toBe('restart');
  });

  it('retries tus conflicts later', () => {
    expect(classifyHttpAnswer(answer(409)).kind).toBe('retry');
    expect(classifyHttpAnswer(answer(423)).kind).toBe('retry');
  });

  it("skips other 4xx with the server's sentence", () => {
    const body = JSON.stringify(errorBody('TOO_LARGE', "Photos can't exceed 75 MB (80 MB)."));
    expect(classifyHttpAnswer(answer(413, body))).toEqual({
      kind: 'rejected',
      message: "Photos can't exceed 75 MB (80 MB).",
    });
    expect(classifyHttpAnswer(answer(415, 'not json'))).toEqual({
      kind: 'rejected',
      message: 'The server answered with an error (HTTP 415).',
    });
  });
});

describe('classifyUploadError', () => {
  const response = (status: number, headers: Record<string, string> = {}) => ({
    getStatus: () => status,
    getBody: () => '',
    getHeader: (name: string) => headers[name],
  });

  it('treats a request without a response as a network failure', () => {
    const error = Object.assign(new Error('tus: failed to upload chunk'), {
      originalRequest: {},
      originalResponse: null,
    });
    expect(classifyUploadError(error, { aborted: false, now: 0 })).toMatchObject({ kind: 'transient' });
  });

  it('reads the status and Retry-After of the response', () => {
    const error = Object.assign(new Error('tus: unexpected response'), {
      originalRequest: {},
      originalResponse: response(503, { 'Retry-After': '7' }),
    });
    expect(classifyUploadError(error, { aborted: false, now: 0 })).toMatchObject({
      kind: 'transient',
      retryAfterMs: 7000,
    });
  });

  it('is an abort when the drain was stopped, whatever the error', () => {
    expect(classifyUploadError(new Error('x'), { aborted: true, now: 0 })).toEqual({ kind: 'aborted' });
  });

  it('retries an error that came from no request', () => {
    expect(classifyUploadError(new Error('source ended early'), { aborted: false, now: 0 })).toEqual({
      kind: 'retry',
      message: 'The upload stopped unexpectedly (source ended early). It will try again.',
    });
  });
});

describe('classifyRequestError', () => {
  it('classifies API and network errors', () => {
    expect(
      classifyRequestError(new ApiError(401, 'UNAUTHENTICATED', 'Sign in.'), { aborted: false }),
    ).toEqual({
      kind: 'signed-out',
    });
    expect(classifyRequestError(new NetworkError(), { aborted: false }).kind).toBe('transient');
    expect(classifyRequestError(new ApiError(400, 'BAD_REQUEST', 'Bad.'), { aborted: false })).toEqual({
      kind: 'rejected',
      message: 'Bad.',
    });
  });
});
