import { describe, expect, it } from 'vitest';
import { ApiError, toApiError, validationSentence } from './errors';

describe('ApiError', () => {
  it('takes its status and default message from the catalogue', () => {
    const error = new ApiError('ASSET_NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.body).toEqual({
      error: { code: 'ASSET_NOT_FOUND', message: 'That photo or video does not exist.' },
    });
  });
});

describe('toApiError', () => {
  it('never passes on the message of an unexpected error', () => {
    const mapped = toApiError(new Error('ENOENT: /secret/path'));
    expect(mapped.code).toBe('INTERNAL');
    expect(mapped.message).not.toContain('secret');
  });

  it('keeps client errors fastify raised', () => {
    expect(toApiError({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }).body.error).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request body is not valid JSON.',
    });
    expect(toApiError({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }).code).toBe('TOO_LARGE');
    expect(toApiError({ statusCode: 503 }).code).toBe('INTERNAL');
  });

  it('turns a schema violation into a sentence', () => {
    const error = {
      statusCode: 400,
      validationContext: 'body',
      validation: [
        { keyword: 'pattern', instancePath: '/sourceSha256/3', schemaPath: '', params: { pattern: '' } },
      ],
    };
    expect(toApiError(error).message).toBe('"sourceSha256[3]" is not valid.');
  });
});

describe('validationSentence', () => {
  it.each([
    [{ keyword: 'required', instancePath: '', params: { missingProperty: 'email' } }, '"email" is required.'],
    [
      { keyword: 'minLength', instancePath: '/password', params: { limit: 8 } },
      '"password" must be at least 8 characters long.',
    ],
    [
      { keyword: 'maxItems', instancePath: '/sourceSha256', params: { limit: 500 } },
      '"sourceSha256" can list at most 500 items.',
    ],
    [
      { keyword: 'type', instancePath: '', params: { type: 'object' } },
      'The request body must be of type object.',
    ],
    [
      { keyword: 'enum', instancePath: '/role', params: { allowedValues: ['owner', 'member'] } },
      '"role" must be one of: owner, member.',
    ],
  ])('%j', (issue, sentence) => {
    expect(validationSentence([{ schemaPath: '', ...issue }], 'body')).toBe(sentence);
  });
});
