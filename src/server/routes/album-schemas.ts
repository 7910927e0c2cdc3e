/** The JSON schemas of the album routes (albums.ts, album-members.ts). */
import { ALBUM_DESCRIPTION_MAX, ALBUM_NAME_MAX, type Album } from '../../shared/albums';
import { assetResponseSchema } from './assets';
import type { ObjectSchemaOf } from './schemas';

export const nameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: ALBUM_NAME_MAX,
  pattern: '\\S',
} as const;
export const descriptionSchema = { type: 'string', maxLength: ALBUM_DESCRIPTION_MAX } as const;
export const roleSchema = { type: 'string', enum: ['viewer', 'contributor'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const albumResponseSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'description',
    'order',
    'owner',
    'access',
    'showInTimeline',
    'coverAssetId',
    'cover',
    'count',
    'firstCapturedAt',
    'lastCapturedAt',
    'members',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    order: { type: 'string', enum: ['desc', 'asc'] },
    owner: {
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: { type: 'string' } },
    },
    access: { type: 'string', enum: ['owner', 'viewer', 'contributor'] },
    showInTimeline: { type: 'boolean' },
    coverAssetId: nullableString,
    cover: {
      type: ['object', 'null'],
      required: ['assetId', 'thumb'],
      properties: { assetId: { type: 'string' }, thumb: assetResponseSchema.properties.thumb },
    },
    count: { type: 'integer' },
    firstCapturedAt: nullableString,
    lastCapturedAt: nullableString,
    members: {
      type: 'array',
      items: {
        type: 'object',
        required: ['userId', 'name', 'email', 'role', 'addedAt'],
        properties: {
          userId: { type: 'string' },
          name: { type: 'string' },
          email: { type: 'string' },
          role: roleSchema,
          addedAt: { type: 'string' },
        },
      },
    },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const satisfies ObjectSchemaOf<Album>;

export const albumPageResponseSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: {
        ...assetResponseSchema,
        required: [...assetResponseSchema.required, 'addedBy'],
        properties: { ...assetResponseSchema.properties, addedBy: { type: 'string' } },
      },
    },
    nextCursor: nullableString,
  },
} as const;

export const memberParamsSchema = {
  type: 'object',
  required: ['id', 'userId'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 64 },
    userId: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;
