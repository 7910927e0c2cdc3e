import type { FastifyInstance } from 'fastify';
import {
  BULK_MAX,
  type Asset,
  type BulkAssetsRequest,
  type BulkAssetsResponse,
  type EmptyTrashResponse,
  type TrashPage,
} from '../../shared/api';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { findAsset, listTrash, toAsset } from '../library/assets';
import { purgeTrash, restoreAssets, trashAssets } from '../library/trash';
import { PAGE_DEFAULT, PAGE_MAX, assetResponseSchema, parseCursor } from './assets';
import { idParamsSchema, noBodySchema, noQuerySchema } from './schemas';

const idsSchema = {
  type: 'object',
  required: ['ids'],
  properties: { ids: { type: 'array', items: { type: 'string' } } },
} as const;

const bulkSchema = {
  tags: ['trash'],
  querystring: noQuerySchema,
  response: {
    200: { ...idsSchema, description: 'The ids now in the requested place; others are left out.' },
  },
  body: {
    type: 'object',
    required: ['ids'],
    properties: {
      ids: {
        type: 'array',
        minItems: 1,
        maxItems: BULK_MAX,
        items: { type: 'string', minLength: 1, maxLength: 64 },
      },
    },
  },
} as const;

/** Delete to the trash, restore (one or many), list and empty the trash. */
export function registerTrashRoutes(app: FastifyInstance, ctx: AppContext): void {
  const changeOne = async (ownerId: string, id: string, change: 'trash' | 'restore'): Promise<Asset> => {
    const changed =
      change === 'trash'
        ? await trashAssets(ctx.db, ownerId, [id], ctx.now())
        : await restoreAssets(ctx.db, ownerId, [id]);
    const row = changed.length === 0 ? undefined : await findAsset(ctx.db, ownerId, id);
    if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
    return toAsset(row);
  };

  app.delete<{ Params: { id: string } }>(
    '/api/assets/:id',
    {
      schema: {
        summary: 'Move an asset to the trash',
        tags: ['trash'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        response: { 200: assetResponseSchema },
      },
    },
    async (request): Promise<Asset> => changeOne(principalOf(request).user.id, request.params.id, 'trash'),
  );

  app.post<{ Params: { id: string } }>(
    '/api/assets/:id/restore',
    {
      schema: {
        summary: 'Bring an asset back from the trash',
        tags: ['trash'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        body: noBodySchema,
        response: { 200: assetResponseSchema },
      },
    },
    async (request): Promise<Asset> => changeOne(principalOf(request).user.id, request.params.id, 'restore'),
  );

  app.post<{ Body: BulkAssetsRequest }>(
    '/api/assets/trash',
    { schema: { ...bulkSchema, summary: 'Move assets to the trash' } },
    async (request): Promise<BulkAssetsResponse> => ({
      ids: await trashAssets(ctx.db, principalOf(request).user.id, request.body.ids, ctx.now()),
    }),
  );

  app.post<{ Body: BulkAssetsRequest }>(
    '/api/assets/restore',
    { schema: { ...bulkSchema, summary: 'Bring assets back from the trash' } },
    async (request): Promise<BulkAssetsResponse> => ({
      ids: await restoreAssets(ctx.db, principalOf(request).user.id, request.body.ids),
    }),
  );

  app.get<{ Querystring: { cursor?: string; limit?: number } }>(
    '/api/trash',
    {
      schema: {
        summary: 'The trash, most recently trashed first',
        tags: ['trash'],
        querystring: {
          type: 'object',
          properties: {
            cursor: { type: 'string', maxLength: 1024 },
            limit: { type: 'integer', minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['items', 'nextCursor', 'retentionDays'],
            properties: {
              items: { type: 'array', items: assetResponseSchema },
              nextCursor: { type: ['string', 'null'] },
              retentionDays: { type: 'integer', description: 'Days an asset stays in the trash.' },
            },
          },
        },
      },
    },
    async (request): Promise<TrashPage> => {
      const { cursor, limit = PAGE_DEFAULT } = request.query;
      return listTrash(ctx.db, principalOf(request).user.id, {
        after: parseCursor(cursor),
        limit,
        retentionDays: ctx.config.trashRetentionDays,
      });
    },
  );

  app.delete(
    '/api/trash',
    {
      schema: {
        summary: 'Empty the trash now',
        tags: ['trash'],
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['purged'],
            properties: { purged: { type: 'integer', description: 'Assets deleted for good.' } },
          },
        },
      },
    },
    async (request): Promise<EmptyTrashResponse> => ({
      purged: await purgeTrash(ctx, { ownerId: principalOf(request).user.id }),
    }),
  );
}
