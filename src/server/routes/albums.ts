import type { FastifyInstance } from 'fastify';
import { BULK_MAX, type AssetBuckets } from '../../shared/api';
import type {
  Album,
  AlbumAssetsRequest,
  AlbumAssetsResponse,
  AlbumList,
  AlbumPage,
  CreateAlbumRequest,
  UpdateAlbumRequest,
} from '../../shared/albums';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import {
  addToAlbum,
  albumFor,
  createAlbum,
  deleteAlbum,
  getAlbum,
  listAlbums,
  removeFromAlbum,
  updateAlbum,
} from '../library/albums';
import { toAsset } from '../library/assets';
import { albumBuckets, listAlbumPage } from '../library/listings';
import {
  bucketsResponseSchema,
  bulkIdsSchema,
  idsResponseSchema,
  listingQuerySchema,
  parseListingQuery,
  type ListingQuerystring,
} from './listing-schemas';
import { albumPageResponseSchema, albumResponseSchema, descriptionSchema, nameSchema } from './album-schemas';
import { registerAlbumMemberRoutes } from './album-members';
import { emptyResponse, idParamsSchema, noQuerySchema } from './schemas';

/** Albums: the Albums screen, one album's photos, adding and taking out, sharing with accounts. */
export function registerAlbumRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/albums',
    {
      schema: {
        querystring: noQuerySchema,
        summary: 'Your albums and those shared with you',
        description: 'Most recently changed first, each with its count, date range, cover and members.',
        tags: ['albums'],
        response: {
          200: {
            type: 'object',
            required: ['albums'],
            properties: { albums: { type: 'array', items: albumResponseSchema } },
          },
        },
      },
    },
    async (request, reply): Promise<AlbumList> => {
      void reply.header('cache-control', 'private, no-cache');
      return { albums: await listAlbums(ctx.db, principalOf(request).user.id) };
    },
  );

  app.post<{ Body: CreateAlbumRequest }>(
    '/api/albums',
    {
      schema: {
        querystring: noQuerySchema,
        summary: 'Create an album',
        description:
          "`assetIds`: your own photos to put in it at once (a selection, a folder just added); others' are left out.",
        tags: ['albums'],
        body: {
          type: 'object',
          required: ['name'],
          properties: {
            name: nameSchema,
            description: descriptionSchema,
            assetIds: {
              type: 'array',
              maxItems: BULK_MAX,
              items: { type: 'string', minLength: 1, maxLength: 64 },
            },
          },
        },
        response: { 201: albumResponseSchema },
      },
    },
    async (request, reply): Promise<Album> => {
      const userId = principalOf(request).user.id;
      const { name, description = '', assetIds = [] } = request.body;
      const id = await createAlbum(
        ctx.db,
        userId,
        { name: name.trim(), description: description.trim(), assetIds },
        ctx.now(),
      );
      void reply.code(201);
      return getAlbum(ctx.db, userId, id);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/albums/:id',
    {
      schema: {
        summary: 'One album',
        tags: ['albums'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        response: { 200: albumResponseSchema },
      },
    },
    async (request, reply): Promise<Album> => {
      void reply.header('cache-control', 'private, no-cache');
      return getAlbum(ctx.db, principalOf(request).user.id, request.params.id);
    },
  );

  app.patch<{ Params: { id: string }; Body: UpdateAlbumRequest }>(
    '/api/albums/:id',
    {
      schema: {
        querystring: noQuerySchema,
        summary: 'Rename, describe, order or choose the cover of an album',
        description: "The owner only. `coverAssetId: null` goes back to the album's first photo.",
        tags: ['albums'],
        params: idParamsSchema,
        body: {
          type: 'object',
          minProperties: 1,
          properties: {
            name: nameSchema,
            description: descriptionSchema,
            order: { type: 'string', enum: ['desc', 'asc'] },
            coverAssetId: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
          },
          examples: [{ name: 'Summer 2024', order: 'asc' }],
        },
        response: { 200: albumResponseSchema },
      },
    },
    async (request): Promise<Album> => {
      const userId = principalOf(request).user.id;
      const { name, description, order, coverAssetId } = request.body;
      await updateAlbum(
        ctx.db,
        userId,
        request.params.id,
        { name: name?.trim(), description: description?.trim(), order, coverAssetId },
        ctx.now(),
      );
      return getAlbum(ctx.db, userId, request.params.id);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/albums/:id',
    {
      schema: {
        summary: 'Delete an album',
        description: 'The owner only. Its photos stay in the library; its links stop working.',
        tags: ['albums'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        response: { 204: emptyResponse('Deleted.') },
      },
    },
    async (request, reply) => {
      await deleteAlbum(ctx.db, principalOf(request).user.id, request.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string }; Querystring: ListingQuerystring }>(
    '/api/albums/:id/assets',
    {
      schema: {
        summary: 'A page of an album',
        description: "In the album's order, paged like the timeline; each item says who added it.",
        tags: ['albums'],
        params: idParamsSchema,
        querystring: listingQuerySchema,
        response: { 200: albumPageResponseSchema },
      },
    },
    async (request, reply): Promise<AlbumPage> => {
      const { album } = await albumFor(ctx.db, principalOf(request).user.id, request.params.id);
      void reply.header('cache-control', 'private, no-cache');
      return listAlbumPage(ctx.db, album.id, album.sort_order, parseListingQuery(request.query), (row) => ({
        ...toAsset(row),
        addedBy: row.added_by,
      }));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/albums/:id/assets/buckets',
    {
      schema: {
        summary: 'The capture days of an album',
        description: "In the album's order.",
        tags: ['albums'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        response: { 200: bucketsResponseSchema },
      },
    },
    async (request, reply): Promise<AssetBuckets> => {
      const { album } = await albumFor(ctx.db, principalOf(request).user.id, request.params.id);
      void reply.header('cache-control', 'private, no-cache');
      return albumBuckets(ctx.db, album.id, album.sort_order);
    },
  );

  /** Adding and taking out: the same shape, ids in and the ids changed out. */
  const albumAssetsRoute = (
    url: string,
    summary: string,
    description: string,
    change: typeof addToAlbum,
  ): void => {
    app.post<{ Params: { id: string }; Body: AlbumAssetsRequest }>(
      url,
      {
        schema: {
          summary,
          description,
          tags: ['albums'],
          params: idParamsSchema,
          querystring: noQuerySchema,
          body: bulkIdsSchema,
          response: { 200: idsResponseSchema },
        },
      },
      async (request): Promise<AlbumAssetsResponse> => ({
        ids: await change(
          ctx.db,
          principalOf(request).user.id,
          request.params.id,
          request.body.ids,
          ctx.now(),
        ),
      }),
    );
  };
  albumAssetsRoute(
    '/api/albums/:id/assets',
    'Add photos to an album',
    'Your own photos only (the owner and contributors); a viewer gets 403 ALBUM_READ_ONLY.',
    addToAlbum,
  );
  albumAssetsRoute(
    '/api/albums/:id/assets/remove',
    'Take photos out of an album',
    'The owner takes out any; a contributor what they added. The photos stay in the library.',
    removeFromAlbum,
  );

  registerAlbumMemberRoutes(app, ctx);
}
