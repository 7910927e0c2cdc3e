import type { FastifyInstance } from 'fastify';
import {
  CHECK_BATCH_MAX,
  type Asset,
  type AssetPage,
  type CheckRequest,
  type CheckResponse,
} from '../../shared/api';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { findAsset, findExistingSources, listAssets, toAsset } from '../library/assets';
import { decodeCursor } from '../library/cursor';
import { idParamsSchema } from './schemas';
import { sendOriginal } from './original';

export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 500;

/** The library: dedup check, the timeline, one asset, its original. */
export function registerAssetRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: CheckRequest }>(
    '/api/assets/check',
    {
      schema: {
        body: {
          type: 'object',
          required: ['sourceSha256'],
          properties: {
            sourceSha256: {
              type: 'array',
              maxItems: CHECK_BATCH_MAX,
              items: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            },
          },
        },
      },
    },
    async (request): Promise<CheckResponse> => ({
      existing: await findExistingSources(ctx.db, principalOf(request).user.id, request.body.sourceSha256),
    }),
  );

  app.get<{ Querystring: { cursor?: string; limit?: number } }>(
    '/api/assets',
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
    async (request): Promise<AssetPage> => {
      const { cursor, limit = PAGE_DEFAULT } = request.query;
      const after = cursor === undefined || cursor === '' ? null : decodeCursor(cursor);
      if (after === null && cursor !== undefined && cursor !== '') {
        throw new ApiError('BAD_REQUEST', 'The page cursor is not valid. Start again from the first page.');
      }
      return listAssets(ctx.db, principalOf(request).user.id, { after, limit });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/assets/:id',
    { schema: { params: idParamsSchema } },
    async (request): Promise<Asset> => {
      const row = await findAsset(ctx.db, principalOf(request).user.id, request.params.id);
      if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
      return toAsset(row);
    },
  );

  // HEAD is its own method here: fastify's automatic HEAD route would read the whole file.
  app.route<{ Params: { id: string } }>({
    method: ['GET', 'HEAD'],
    url: '/api/assets/:id/original',
    schema: { params: idParamsSchema },
    handler: async (request, reply) => {
      const row = await findAsset(ctx.db, principalOf(request).user.id, request.params.id);
      if (row === undefined) throw new ApiError('ASSET_NOT_FOUND');
      return sendOriginal(ctx.blobs, row, request, reply);
    },
  });
}
