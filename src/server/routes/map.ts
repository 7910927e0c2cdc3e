import type { FastifyInstance } from 'fastify';
import { MAP_ASSETS_MAX, type MapAssetsResponse, type MapMarkers } from '../../shared/map';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { mapAssets, mapMarkers } from '../map/markers';
import { noQuerySchema } from './schemas';
import { assetResponseSchema } from './assets';

const numbers = { type: 'array', items: { type: 'number' } } as const;

/**
 * `GET /api/map/markers`: the caller's geotagged photos as points. `GET /api/map/assets?ids=…`:
 * the photos of an opened cluster.
 */
export function registerMapRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/map/markers',
    {
      schema: {
        summary: 'Where the photos were taken',
        description:
          'Every geotagged photo and video of the caller (not in the trash), newest first, as three columns: the i-th is `ids[i]` at (`latitudes[i]`, `longitudes[i]`), in decimal degrees (WGS 84).',
        tags: ['map'],
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['ids', 'latitudes', 'longitudes'],
            properties: {
              ids: { type: 'array', items: { type: 'string' } },
              latitudes: numbers,
              longitudes: numbers,
            },
          },
        },
      },
    },
    async (request, reply): Promise<MapMarkers> => {
      void reply.header('cache-control', 'private, no-cache');
      return mapMarkers(ctx.db, principalOf(request).user.id);
    },
  );

  app.get<{ Querystring: { ids: string } }>(
    '/api/map/assets',
    {
      schema: {
        summary: 'Photos by id, for a map cluster',
        description: `Up to ${MAP_ASSETS_MAX} comma-separated asset ids; the caller's photos among them come back in that order, and any other id is left out.`,
        tags: ['map'],
        querystring: {
          type: 'object',
          required: ['ids'],
          properties: {
            ids: {
              type: 'string',
              minLength: 1,
              maxLength: MAP_ASSETS_MAX * 65,
              examples: ['0b7f4a52-6f0e-4c3e-9a51-2d4e8f1c7a90,5d2e9c14-3b8a-4f61-8e07-9c1a2b3d4e5f'],
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: assetResponseSchema } },
          },
        },
      },
    },
    async (request, reply): Promise<MapAssetsResponse> => {
      const ids = request.query.ids.split(',');
      if (ids.length > MAP_ASSETS_MAX || ids.some((id) => id === '' || id.length > 64)) {
        throw new ApiError('BAD_REQUEST', `Ask for 1 to ${MAP_ASSETS_MAX} photos at a time, by their ids.`);
      }
      void reply.header('cache-control', 'private, no-cache');
      return { items: await mapAssets(ctx.db, principalOf(request).user.id, ids) };
    },
  );
}
