import { setTimeout as delay } from 'node:timers/promises';
import {
  PASSWORD_MIN_LENGTH,
  TOKEN_SCOPES,
  type ApiToken,
  type CreatedToken,
  type StorageUsage,
  type User,
  type UserSummary,
} from '../../shared/api';
import { ERRORS } from '../../shared/errors';

/**
 * JSON schemas of the API. Every /api route declares its params, querystring, body and answers
 * (tests/server/openapi.test.ts fails otherwise); they validate requests, serialise answers and
 * become the OpenAPI document at /api/openapi.json (src/server/openapi.ts).
 */

/**
 * An object schema whose `properties` name every key of `T`: a response schema serialises only
 * the properties it names, so a field added to the type but not here would be dropped silently.
 */
export type ObjectSchemaOf<T> = {
  type: 'object';
  required: readonly (keyof T)[];
  properties: Record<keyof T, unknown>;
};

export const emailSchema = {
  type: 'string',
  minLength: 3,
  maxLength: 254,
  pattern: '^[^\\s@]+@[^\\s@]+$',
  examples: ['ada@example.com'],
} as const;
export const nameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '\\S',
  examples: ['Ada'],
} as const;
export const passwordSchema = {
  type: 'string',
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: 1024,
  examples: ['correct horse battery'],
} as const;
export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/**
 * Requests per address to the routes anyone may call that hash a password (sign-in, setup): far
 * above what a person types, and a flood is refused before it reaches the database.
 */
export const SIGN_IN_RATE = { max: 30, timeWindow: 60_000 } as const;

/** The querystring of a route that takes none: unknown parameters are dropped, not refused. */
export const noQuerySchema = { type: 'object', properties: {}, additionalProperties: false } as const;

/**
 * The body of a POST that takes none. fastify validates a missing body as `null`; the OpenAPI
 * document leaves the request body out (src/server/openapi.ts).
 */
export const noBodySchema = { type: 'null', description: 'No request body.' } as const;

/** An answer without a body (204, 304, tus answers), described by its status alone. */
export const emptyResponse = (description: string) => ({ type: 'null', description }) as const;

const nullable = (type: 'string' | 'integer' | 'number') => ({ type: [type, 'null'] }) as const;

export const userSchema = {
  $id: 'User',
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'createdAt', 'quotaBytes'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'member'] },
    createdAt: { type: 'string', description: 'ISO 8601, UTC.' },
    quotaBytes: {
      type: ['integer', 'null'],
      description: 'The most bytes the library may hold; null: no limit.',
    },
  },
} as const satisfies ObjectSchemaOf<User> & { $id: string };

/** An account as the owner's Users screen lists it: with what it stores, and whether it is off. */
export const userSummarySchema = {
  type: 'object',
  required: [...userSchema.required, 'disabledAt', 'assets', 'bytes'],
  properties: {
    ...userSchema.properties,
    disabledAt: {
      type: ['string', 'null'],
      description: 'When the owner turned it off; null: it can sign in.',
    },
    assets: { type: 'integer', description: 'Photos and videos in its library (not the trash).' },
    bytes: { type: 'integer', description: 'Bytes stored, trash included.' },
  },
} as const satisfies ObjectSchemaOf<UserSummary>;

/** `GET /api/me/storage`. */
export const storageUsageSchema = {
  type: 'object',
  required: ['usedBytes', 'quotaBytes', 'assets', 'bytes', 'trashAssets', 'trashBytes'],
  properties: {
    usedBytes: { type: 'integer', description: 'Library and trash, what counts against the quota.' },
    quotaBytes: { type: ['integer', 'null'], description: 'The most the account may store; null: no limit.' },
    assets: { type: 'integer' },
    bytes: { type: 'integer' },
    trashAssets: { type: 'integer' },
    trashBytes: { type: 'integer' },
  },
} as const satisfies ObjectSchemaOf<StorageUsage>;

export const apiTokenSchema = {
  $id: 'ApiToken',
  type: 'object',
  required: ['id', 'name', 'scope', 'createdAt', 'lastUsedAt', 'expiresAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    scope: { type: 'string', enum: TOKEN_SCOPES },
    createdAt: { type: 'string' },
    lastUsedAt: nullable('string'),
    expiresAt: { type: ['string', 'null'], description: 'After this the token is refused; null: never.' },
  },
} as const satisfies ObjectSchemaOf<ApiToken> & { $id: string };

export const createdTokenSchema = {
  $id: 'CreatedToken',
  type: 'object',
  required: [...apiTokenSchema.required, 'token'],
  properties: {
    ...apiTokenSchema.properties,
    token: {
      type: 'string',
      description: 'The secret, shown this once: send it as `Authorization: Bearer …`.',
    },
  },
} as const satisfies ObjectSchemaOf<CreatedToken> & { $id: string };

/** `{ error: { code, message } }`, the body of every error answer (src/shared/errors.ts). */
export const apiErrorSchema = {
  $id: 'ApiError',
  type: 'object',
  description: 'An error: `code` from the catalogue, `message` a sentence to show.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERRORS) },
        message: { type: 'string' },
      },
    },
  },
} as const;

/** Schemas the routes refer to by `$ref: '<$id>#'`; each becomes a component of the document. */
export const sharedSchemas = [userSchema, apiTokenSchema, createdTokenSchema, apiErrorSchema] as const;

export const ref = (schema: { $id: string }, description?: string) =>
  description === undefined ? { $ref: `${schema.$id}#` } : { $ref: `${schema.$id}#`, description };

/** Bytes that are not JSON (an original, a thumbnail, a tus chunk): any schema, described. */
export const binaryContent = (types: readonly string[], description: string) => ({
  description,
  content: Object.fromEntries(types.map((type) => [type, { schema: { description } }])),
});

/** How long a refused sign-in waits before its answer goes out. */
export const REFUSAL_DELAY_MS = 1_000;

/**
 * An onSend hook for sign-in and setup: a refusal (429) is answered after a second, not at once.
 * A flood answered at once just loops faster: 32 clients sending refused sign-ins back to back
 * kept the event loop busy enough to make a download 20 times slower. Held for a second, each
 * connection costs the server a timer and at most one request a second; a person who typed too
 * often waits a second more than they would anyway.
 */
export async function slowRefusal(
  _request: unknown,
  reply: { statusCode: number },
  payload: unknown,
): Promise<unknown> {
  if (reply.statusCode === 429) await delay(REFUSAL_DELAY_MS);
  return payload;
}
