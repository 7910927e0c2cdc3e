import type { FastifyContextConfig, FastifySchema, HTTPMethods } from 'fastify';
import { ASSET_ID_HEADER, TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../shared/tus';
import { binaryContent, emptyResponse, noQuerySchema } from '../routes/schemas';

/**
 * The tus 1.0.0 routes as the OpenAPI document shows them. The protocol is tus's
 * (https://tus.io/protocols/resumable-upload); these schemas describe it and do not validate
 * it: every header is an optional string, so that @tus/server answers a malformed request as the
 * protocol says (412, 400…), not fastify.
 */

const header = (description: string, example?: string) =>
  example === undefined
    ? { type: 'string', description }
    : { type: 'string', description, examples: [example] };

const tusResumable = header('The protocol version: 1.0.0.', '1.0.0');
const uploadOffset = header('Where the bytes of this request start.', '0');

const OFFSET_STREAM = 'application/offset+octet-stream';
const chunkBody = binaryContent([OFFSET_STREAM], 'The bytes of the file from Upload-Offset on.');

const finishedHeaders = {
  [ASSET_ID_HEADER]: header('On the request that completes the upload: the asset it became.'),
  [UPLOAD_OUTCOME_HEADER]: header('On that request: `created`, or `duplicate` for a file already backed up.'),
};

const uploadParams = {
  type: 'object',
  required: ['uploadId'],
  properties: { uploadId: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export interface TusRoute {
  method: HTTPMethods;
  url: string;
  schema: FastifySchema;
  config?: FastifyContextConfig;
}

const tags = ['uploads'];

export const TUS_ROUTES: readonly TusRoute[] = [
  {
    method: 'OPTIONS',
    url: TUS_ENDPOINT,
    schema: {
      summary: 'What the tus server supports',
      tags,
      querystring: noQuerySchema,
      response: {
        204: {
          ...emptyResponse('Tus-Version, Tus-Extension and Tus-Max-Size.'),
          headers: {
            'Tus-Version': header('1.0.0'),
            'Tus-Extension': header('The extensions, comma-separated.'),
          },
        },
      },
    },
  },
  {
    method: 'POST',
    url: TUS_ENDPOINT,
    schema: {
      summary: 'Start an upload (tus creation)',
      description:
        'Upload-Metadata names the file: `filename` and `type`, the `sha256` of the bytes and the `sourceSha256` of the file as picked, and optionally `capturedAt` (each value base64). With `Content-Type: application/offset+octet-stream` the body carries the first bytes (creation-with-upload), the whole of a photo.',
      tags,
      querystring: noQuerySchema,
      headers: {
        type: 'object',
        properties: {
          'tus-resumable': tusResumable,
          'upload-length': header('The size of the whole file in bytes.', '349915'),
          'upload-metadata': header(
            'Comma-separated `key base64(value)` pairs.',
            'filename cGhvdG8uanBn,type aW1hZ2UvanBlZw==,sha256 MzY0N2JhYjEwYjQ4ZjQ5NmMzNjc3MGRhNGQxOGMxNjFiNDliNTAzNWUzOTExMTFkZjE1NjhjMGNkNDg4MTQ0Zg==,sourceSha256 MzY0N2JhYjEwYjQ4ZjQ5NmMzNjc3MGRhNGQxOGMxNjFiNDliNTAzNWUzOTExMTFkZjE1NjhjMGNkNDg4MTQ0Zg==',
          ),
        },
      },
      body: chunkBody,
      response: {
        201: {
          ...emptyResponse(
            'Created: Location is the upload URL; Upload-Offset says how much of the body was taken.',
          ),
          headers: {
            Location: header('The upload URL.'),
            'Upload-Offset': header('Bytes received.'),
            ...finishedHeaders,
          },
        },
      },
    },
  },
  {
    method: 'HEAD',
    url: `${TUS_ENDPOINT}/:uploadId`,
    // @fastify/swagger leaves HEAD routes out unless asked: most are fastify's copies of a GET.
    config: { swagger: { exposeHeadRoute: true } },
    schema: {
      summary: 'Where an upload stands',
      description: 'Resume from Upload-Offset.',
      tags,
      params: uploadParams,
      querystring: noQuerySchema,
      headers: { type: 'object', properties: { 'tus-resumable': tusResumable } },
      response: {
        200: {
          ...emptyResponse('Upload-Offset and Upload-Length.'),
          headers: {
            'Upload-Offset': header('Bytes received.'),
            'Upload-Length': header('The size of the file.'),
          },
        },
      },
    },
  },
  {
    method: 'PATCH',
    url: `${TUS_ENDPOINT}/:uploadId`,
    schema: {
      summary: 'Send bytes of an upload',
      tags,
      params: uploadParams,
      querystring: noQuerySchema,
      headers: {
        type: 'object',
        properties: { 'tus-resumable': tusResumable, 'upload-offset': uploadOffset },
      },
      body: chunkBody,
      response: {
        204: {
          ...emptyResponse('Taken: Upload-Offset is the new offset.'),
          headers: { 'Upload-Offset': header('Bytes received.'), ...finishedHeaders },
        },
      },
    },
  },
  {
    method: 'POST',
    url: `${TUS_ENDPOINT}/:uploadId`,
    schema: {
      summary: 'A PATCH, HEAD or DELETE from a client that can only send POST',
      description:
        'tus 1.0.0: "The X-HTTP-Method-Override request header MUST be a string which MUST be interpreted as the request\'s method by the Server."',
      tags,
      params: uploadParams,
      querystring: noQuerySchema,
      headers: {
        type: 'object',
        properties: {
          'tus-resumable': tusResumable,
          'x-http-method-override': header('The tus method meant: PATCH, HEAD or DELETE.', 'HEAD'),
        },
      },
      body: chunkBody,
      response: {
        200: emptyResponse('As for HEAD.'),
        204: {
          ...emptyResponse('As for PATCH or DELETE.'),
          headers: { 'Upload-Offset': header('Bytes received.'), ...finishedHeaders },
        },
      },
    },
  },
  {
    method: 'DELETE',
    url: `${TUS_ENDPOINT}/:uploadId`,
    schema: {
      summary: 'Abandon an upload (tus termination)',
      tags,
      params: uploadParams,
      querystring: noQuerySchema,
      headers: { type: 'object', properties: { 'tus-resumable': tusResumable } },
      response: { 204: emptyResponse('Deleted.') },
    },
  },
  {
    method: 'OPTIONS',
    url: `${TUS_ENDPOINT}/:uploadId`,
    schema: {
      summary: 'What the tus server supports',
      tags,
      params: uploadParams,
      querystring: noQuerySchema,
      response: { 204: emptyResponse('Tus-Version, Tus-Extension and Tus-Max-Size.') },
    },
  },
];
