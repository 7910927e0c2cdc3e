import type { FastifyInstance } from 'fastify';
import {
  CHECK_BATCH_MAX,
  type Asset,
  type AssetBuckets,
  type AssetDetails,
  type AssetPage,
  type CheckRequest,
  type CheckResponse,
} from '../../shared/api';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import {
  findExistingSources,
  findPlace,
  listAssets,
  listDayBuckets,
  toAssetDetails,
} from '../library/assets';
import { startOfNextDay } from '../library/capture-date';
import {
  listSharedInTimeline,
  mergeBuckets,
  mergePages,
  sharedInTimelineBuckets,
  showsSharedAlbums,
} from '../library/listings';
import { findViewableAsset } from '../library/organise';
import { decodeCursor, type KeysetCursor } from '../library/cursor';
import { sendOriginal, originalResponses } from './original';
import { idParamsSchema, noQuerySchema, type ObjectSchemaOf } from './schemas';

export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 500;

/** A page cursor from the query string; absent or empty is the first page. */
export function parseCursor(cursor: string | undefined): KeysetCursor | null {
  if (cursor === undefined || cursor === '') return null;
  const after = decodeCursor(cursor);
  if (after === null) {
    throw new ApiError('BAD_REQUEST', 'The page cursor is not valid. Start again from the first page.');
  }
  return after;
}

const nullable = (type: 'string' | 'integer' | 'number') => ({ type: [type, 'null'] }) as const;

/**
 * An `Asset` (src/shared/api.ts) for fast-json-stringify, which writes a timeline page about
 * three times as fast as JSON.stringify. It writes only the properties named here, in this order
 * (toAsset's), so a property added to `Asset` must be added here too; a required one that is
 * missing fails the response rather than going out silently without it.
 */
export const assetResponseSchema = {
  type: 'object',
  required: [
    'id',
    'filename',
    'mimeType',
    'bytes',
    'sha256',
    'sourceSha256',
    'capturedAt',
    'capturedOffsetMinutes',
    'uploadedAt',
    'width',
    'height',
    'durationSeconds',
    'thumb',
    'deletedAt',
    'ownerId',
    'favorite',
    'archived',
    'rotation',
  ],
  properties: {
    id: { type: 'string' },
    filename: { type: 'string' },
    mimeType: { type: 'string' },
    bytes: { type: 'number' },
    sha256: { type: 'string' },
    sourceSha256: { type: 'string' },
    capturedAt: { type: 'string' },
    capturedOffsetMinutes: nullable('integer'),
    uploadedAt: { type: 'string' },
    width: nullable('integer'),
    height: nullable('integer'),
    durationSeconds: nullable('number'),
    // One shape for the three states of ThumbState: each writes only the properties it has.
    thumb: {
      type: 'object',
      required: ['state'],
      properties: {
        state: { type: 'string' },
        version: { type: 'string' },
        code: { type: 'string' },
        reason: { type: 'string' },
      },
    },
    deletedAt: nullable('string'),
    ownerId: { type: 'string' },
    favorite: { type: 'boolean' },
    archived: { type: 'boolean' },
    rotation: { type: 'integer', enum: [0, 90, 180, 270] },
  },
} as const satisfies ObjectSchemaOf<Asset>;

/** `AssetDetails`: an asset with its camera, lens and place. */
export const assetDetailsResponseSchema = {
  type: 'object',
  required: [...assetResponseSchema.required, 'make', 'model', 'lens', 'location', 'place'],
  properties: {
    ...assetResponseSchema.properties,
    make: nullable('string'),
    model: nullable('string'),
    lens: nullable('string'),
    location: {
      type: ['object', 'null'],
      required: ['latitude', 'longitude'],
      properties: { latitude: { type: 'number' }, longitude: { type: 'number' } },
    },
    place: {
      type: ['object', 'null'],
      description: 'The place at `location` (offline reverse geocoding); null until known, or at sea.',
      required: ['countryCode', 'country', 'region', 'city'],
      properties: {
        countryCode: { type: 'string', description: 'ISO 3166-1 alpha-2.' },
        country: { type: 'string' },
        region: nullable('string'),
        city: nullable('string'),
      },
    },
  },
} as const satisfies ObjectSchemaOf<AssetDetails>;

export const assetPageResponseSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: assetResponseSchema }, nextCursor: nullable('string') },
} as const;

const assetBucketsResponseSchema = {
  type: 'object',
  required: ['days', 'total'],
  properties: {
    days: {
      type: 'array',
      items: {
        type: 'object',
        required: ['day', 'count'],
        properties: { day: { type: 'string' }, count: { type: 'integer' } },
      },
    },
    total: { type: 'integer' },
  },
} as const;

/** The library: dedup check, the timeline and its day counts, one asset, its original. */
export function registerAssetRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: CheckRequest }>(
    '/api/assets/check',
    {
      schema: {
        summary: 'Which files are already backed up',
        description: `Send the SHA-256 of each file as picked (up to ${CHECK_BATCH_MAX} at once) before uploading it; those already in the library (not in the trash) come back with their asset ids.`,
        tags: ['assets'],
        querystring: noQuerySchema,
        body: {
          type: 'object',
          required: ['sourceSha256'],
          properties: {
            sourceSha256: {
              type: 'array',
              maxItems: CHECK_BATCH_MAX,
              items: {
                type: 'string',
                pattern: '^[0-9a-f]{64}$',
                examples: ['3647bab10b48f496c36770da4d18c161b49b5035e391111df1568c0cd488144f'],
              },
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['existing'],
            properties: {
              existing: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['sourceSha256', 'id'],
                  properties: { sourceSha256: { type: 'string' }, id: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    async (request): Promise<CheckResponse> => ({
      existing: await findExistingSources(ctx.db, principalOf(request).user.id, request.body.sourceSha256),
    }),
  );

  app.get<{ Querystring: { cursor?: string; limit?: number; from?: string } }>(
    '/api/assets',
    {
      schema: {
        summary: 'The timeline, newest first',
        description: 'Keyset pages: pass `nextCursor` back as `cursor` until it is null.',
        tags: ['assets'],
        querystring: {
          type: 'object',
          properties: {
            cursor: { type: 'string', maxLength: 1024 },
            limit: { type: 'integer', minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT },
            from: {
              type: 'string',
              pattern: '^\\d{4}-\\d{2}-\\d{2}$',
              description: 'Start at the newest asset captured on or before this day (YYYY-MM-DD).',
            },
          },
        },
        response: { 200: assetPageResponseSchema },
      },
    },
    async (request): Promise<AssetPage> => {
      const { cursor, limit = PAGE_DEFAULT, from } = request.query;
      const before = from === undefined ? null : startOfNextDay(from);
      if (from !== undefined && before === null) {
        throw new ApiError('BAD_REQUEST', '"from" must be a day of the calendar, as YYYY-MM-DD.');
      }
      const ownerId = principalOf(request).user.id;
      const page = { after: parseCursor(cursor), before, limit };
      // Shared albums a member chose to see in their timeline add others' photos to it.
      if (await showsSharedAlbums(ctx.db, ownerId)) {
        const shared = await listSharedInTimeline(ctx.db, ownerId, {
          after: page.after,
          from: from ?? null,
          limit,
        });
        return mergePages(await listAssets(ctx.db, ownerId, page), shared, limit);
      }
      return listAssets(ctx.db, ownerId, page);
    },
  );

  app.get(
    '/api/assets/buckets',
    {
      schema: {
        summary: 'How many assets each day has',
        tags: ['assets'],
        querystring: noQuerySchema,
        response: { 200: assetBucketsResponseSchema },
      },
    },
    async (request, reply): Promise<AssetBuckets> => {
      void reply.header('cache-control', 'private, no-cache');
      const userId = principalOf(request).user.id;
      const own = await listDayBuckets(ctx.db, userId);
      if (!(await showsSharedAlbums(ctx.db, userId))) return own;
      return mergeBuckets(own, await sharedInTimelineBuckets(ctx.db, userId));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/assets/:id',
    {
      schema: {
        summary: 'One asset with everything known about it',
        tags: ['assets'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        response: { 200: assetDetailsResponseSchema },
      },
    },
    async (request): Promise<AssetDetails> => {
      const row = await findViewableAsset(ctx.db, principalOf(request).user.id, request.params.id);
      if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
      return toAssetDetails(row, await findPlace(ctx.db, row.place_id));
    },
  );

  // HEAD is its own method here: fastify's automatic HEAD route would read the whole file.
  app.route<{ Params: { id: string } }>({
    method: ['GET', 'HEAD'],
    url: '/api/assets/:id/original',
    schema: {
      summary: 'The original file',
      description: 'Byte ranges (RFC 9110 §14) and `If-None-Match` are honoured; the ETag is the SHA-256.',
      tags: ['assets'],
      params: idParamsSchema,
      querystring: noQuerySchema,
      response: originalResponses,
    },
    handler: async (request, reply) => {
      const row = await findViewableAsset(ctx.db, principalOf(request).user.id, request.params.id);
      if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
      return sendOriginal(ctx.blobs, row, request, reply);
    },
  });
}
