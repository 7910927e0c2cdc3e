/** The JSON schemas of the public-link routes (links.ts, link-page.ts): what they take and answer. */
import { LINK_PASSWORD_MIN, type PublicLink, type SharedLink } from '../../shared/links';
import { LINK_KEY_PATTERN } from '../library/links';
import { assetResponseSchema } from './assets';
import type { ObjectSchemaOf } from './schemas';

export const nullableString = { type: ['string', 'null'] } as const;

export const linkSettingsProperties = {
  title: { type: 'string', maxLength: 200 },
  expiresAt: { type: ['string', 'null'], format: 'date-time' },
  allowDownload: { type: 'boolean' },
  showDetails: { type: 'boolean' },
  showPlace: { type: 'boolean' },
  password: { type: ['string', 'null'], minLength: LINK_PASSWORD_MIN, maxLength: 1024 },
} as const;

export const sharedLinkSchema = {
  type: 'object',
  required: [
    'id',
    'key',
    'path',
    'albumId',
    'title',
    'expiresAt',
    'allowDownload',
    'showDetails',
    'showPlace',
    'count',
    'hasPassword',
    'views',
    'lastUsedAt',
    'createdAt',
  ],
  properties: {
    id: { type: 'string' },
    key: { type: 'string' },
    path: { type: 'string' },
    albumId: nullableString,
    title: { type: 'string' },
    expiresAt: nullableString,
    allowDownload: { type: 'boolean' },
    showDetails: { type: 'boolean' },
    showPlace: { type: 'boolean' },
    count: { type: 'integer' },
    hasPassword: { type: 'boolean' },
    views: { type: 'integer' },
    lastUsedAt: nullableString,
    createdAt: { type: 'string' },
  },
} as const satisfies ObjectSchemaOf<SharedLink>;

export const publicAssetProperties = {
  id: { type: 'string' },
  mimeType: { type: 'string' },
  capturedAt: { type: 'string' },
  capturedOffsetMinutes: { type: ['integer', 'null'] },
  width: { type: ['integer', 'null'] },
  height: { type: ['integer', 'null'] },
  durationSeconds: { type: ['number', 'null'] },
  thumb: assetResponseSchema.properties.thumb,
  rotation: { type: 'integer' },
  filename: nullableString,
} as const;
export const publicAssetRequired = Object.keys(publicAssetProperties);

export const publicLinkSchema = {
  type: 'object',
  required: [
    'title',
    'description',
    'kind',
    'order',
    'count',
    'allowDownload',
    'showDetails',
    'showPlace',
    'expiresAt',
    'cover',
  ],
  properties: {
    title: { type: 'string' },
    description: { type: 'string' },
    kind: { type: 'string', enum: ['album', 'selection'] },
    order: { type: 'string', enum: ['desc', 'asc'] },
    count: { type: 'integer' },
    allowDownload: { type: 'boolean' },
    showDetails: { type: 'boolean' },
    showPlace: { type: 'boolean' },
    expiresAt: nullableString,
    cover: {
      type: ['object', 'null'],
      required: ['assetId', 'thumb'],
      properties: { assetId: { type: 'string' }, thumb: assetResponseSchema.properties.thumb },
    },
  },
} as const satisfies ObjectSchemaOf<PublicLink>;

export const keyParamsSchema = {
  type: 'object',
  required: ['key'],
  properties: { key: { type: 'string', pattern: LINK_KEY_PATTERN } },
} as const;

export const keyAssetParamsSchema = {
  type: 'object',
  required: ['key', 'id'],
  properties: {
    key: { type: 'string', pattern: LINK_KEY_PATTERN },
    id: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

export interface KeyParams {
  key: string;
}
export interface KeyAssetParams extends KeyParams {
  id: string;
}
