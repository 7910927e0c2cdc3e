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
import { PAGE_DEFAULT, PAGE_MAX, parseCursor } from './assets';
import { idParamsSchema } from './schemas';

const bulkSchema = {
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
    { schema: { params: idParamsSchema } },
    async (request): Promise<Asset> => changeOne(principalOf(request).user.id, request.params.id, 'trash'),
  );

  app.post<{ Params: { id: string } }>(
    '/api/assets/:id/restore',
    { schema: { params: idParamsSchema } },
    async (request): Promise<Asset> => changeOne(principalOf(request).user.id, request.params.id, 'restore'),
  );

  app.post<{ Body: BulkAssetsRequest }>(
    '/api/assets/trash',
    { schema: bulkSchema },
    async (request): Promise<BulkAssetsResponse> => ({
      ids: await trashAssets(ctx.db, principalOf(request).user.id, request.body.ids, ctx.now()),
    }),
  );

  app.post<{ Body: BulkAssetsRequest }>(
    '/api/assets/restore',
    { schema: bulkSchema },
    async (request): Promise<BulkAssetsResponse> => ({
      ids: await restoreAssets(ctx.db, principalOf(request).user.id, request.body.ids),
    }),
  );

  app.get<{ Querystring: { cursor?: string; limit?: number } }>(
    '/api/trash',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            cursor: { type: 'string', maxLength: 1024 },
            limit: { type: 'integer', minimum: 1, maximum: PAGE_MAX },
          },
        },
      },
    },
    async (request): Promise<TrashPage> => {
      const { cursor, limit = PAGE_DEFAULT } = request.query;
      return listTrash(ctx.db, principalOf(request).user.id, { after: parseCursor(cursor), limit });
    },
  );

  app.delete('/api/trash', async (request): Promise<EmptyTrashResponse> => ({
    purged: await purgeTrash(ctx, { ownerId: principalOf(request).user.id }),
  }));
}
