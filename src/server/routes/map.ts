import type { FastifyInstance } from 'fastify';
import {
  MAP_ASSETS_MAX,
  type MapAssetsResponse,
  type MapMarkers,
  type MapSettings,
  type MapSettingsRequest,
} from '../../shared/map';
import { principalOf, requireOwner } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { mapAssets, mapMarkers } from '../map/markers';
import {
  fetchTile,
  readTileAddress,
  tileAddressProblem,
  TILE_TYPES,
  TILE_ZOOM_MAX,
  writeTileAddress,
} from '../map/tiles';
import { binaryContent, noQuerySchema } from './schemas';
import { assetResponseSchema } from './assets';

const numbers = { type: 'array', items: { type: 'number' } } as const;

const mapSettingsSchema = {
  type: 'object',
  required: ['tiles', 'address'],
  properties: { tiles: { type: 'boolean' }, address: { type: ['string', 'null'] } },
} as const;

/**
 * `GET /api/map/markers`: the caller's geotagged photos as points. `GET /api/map/assets?ids=…`:
 * the photos of an opened cluster. `GET|PUT /api/map/settings` and `GET /api/map/tiles/z/x/y`:
 * the owner's tile server, and its tiles through this server.
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

  const settings = async (owner: boolean): Promise<MapSettings> => {
    const address = await readTileAddress(ctx.db);
    return { tiles: address !== null, address: owner ? address : null };
  };

  app.get(
    '/api/map/settings',
    {
      schema: {
        summary: 'Whether the map draws tiles',
        description: 'The tile server address is answered to the owner only (it may carry a key).',
        tags: ['map'],
        querystring: noQuerySchema,
        response: { 200: mapSettingsSchema },
      },
    },
    async (request): Promise<MapSettings> => settings(principalOf(request).user.role === 'owner'),
  );

  app.put<{ Body: MapSettingsRequest }>(
    '/api/map/settings',
    {
      schema: {
        summary: 'Set the map’s tile server (owner)',
        description:
          'A `{z}/{x}/{y}` address of raster tiles (https:// or http://), fetched by this server for the app; null draws the bundled borders alone.',
        tags: ['map'],
        querystring: noQuerySchema,
        body: {
          type: 'object',
          required: ['address'],
          properties: {
            address: {
              type: ['string', 'null'],
              maxLength: 2000,
              examples: ['https://tiles.example.org/{z}/{x}/{y}.png'],
            },
          },
        },
        response: { 200: mapSettingsSchema },
      },
    },
    async (request): Promise<MapSettings> => {
      requireOwner(request);
      const address = request.body.address?.trim() || null;
      const problem = address === null ? null : tileAddressProblem(address);
      if (problem !== null) throw new ApiError('BAD_REQUEST', problem);
      await writeTileAddress(ctx.db, address);
      return settings(true);
    },
  );

  app.get<{ Params: { z: number; x: number; y: number } }>(
    '/api/map/tiles/:z/:x/:y',
    {
      schema: {
        summary: 'A map tile from the owner’s tile server',
        tags: ['map'],
        params: {
          type: 'object',
          required: ['z', 'x', 'y'],
          properties: {
            z: { type: 'integer', minimum: 0, maximum: TILE_ZOOM_MAX },
            x: { type: 'integer', minimum: 0 },
            y: { type: 'integer', minimum: 0 },
          },
        },
        querystring: noQuerySchema,
        response: {
          200: binaryContent(TILE_TYPES, 'The tile, as the tile server sent it.'),
        },
      },
    },
    async (request, reply) => {
      const { z, x, y } = request.params;
      if (x >= 2 ** z || y >= 2 ** z) throw new ApiError('NOT_FOUND', 'There is no such map tile.');
      const address = await readTileAddress(ctx.db);
      if (address === null) throw new ApiError('NOT_FOUND', 'No tile server is set for the map.');
      const tile = await fetchTile(address, z, x, y);
      return reply.type(tile.contentType).header('cache-control', 'private, max-age=86400').send(tile.body);
    },
  );
}
