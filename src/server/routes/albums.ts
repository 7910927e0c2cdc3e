import type { FastifyInstance } from 'fastify';
import { BULK_MAX, type AssetBuckets } from '../../shared/api';
import {
  ALBUM_DESCRIPTION_MAX,
  ALBUM_NAME_MAX,
  type AddMemberRequest,
  type Album,
  type AlbumAssetsRequest,
  type AlbumAssetsResponse,
  type AlbumList,
  type AlbumPage,
  type CreateAlbumRequest,
  type ShareableAccount,
  type UpdateAlbumRequest,
  type UpdateMemberRequest,
} from '../../shared/albums';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import {
  addMember,
  addToAlbum,
  albumFor,
  createAlbum,
  deleteAlbum,
  getAlbum,
  listAlbums,
  removeFromAlbum,
  removeMember,
  shareableAccounts,
  updateAlbum,
  updateMember,
} from '../library/albums';
import { toAsset } from '../library/assets';
import { albumBuckets, listAlbumPage } from '../library/listings';
import { assetResponseSchema } from './assets';
import {
  bucketsResponseSchema,
  bulkIdsSchema,
  idsResponseSchema,
  listingQuerySchema,
  parseListingQuery,
  type ListingQuerystring,
} from './listing-schemas';
import { emptyResponse, idParamsSchema, noQuerySchema, type ObjectSchemaOf } from './schemas';

const nameSchema = { type: 'string', minLength: 1, maxLength: ALBUM_NAME_MAX, pattern: '\\S' } as const;
const descriptionSchema = { type: 'string', maxLength: ALBUM_DESCRIPTION_MAX } as const;
const roleSchema = { type: 'string', enum: ['viewer', 'contributor'] } as const;
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

const albumPageResponseSchema = {
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

const memberParamsSchema = {
  type: 'object',
  required: ['id', 'userId'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 64 },
    userId: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

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

  app.post<{ Params: { id: string }; Body: AlbumAssetsRequest }>(
    '/api/albums/:id/assets',
    {
      schema: {
        summary: 'Add photos to an album',
        description: 'Your own photos only (the owner and contributors); a viewer gets 403 ALBUM_READ_ONLY.',
        tags: ['albums'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        body: bulkIdsSchema,
        response: { 200: idsResponseSchema },
      },
    },
    async (request): Promise<AlbumAssetsResponse> => ({
      ids: await addToAlbum(
        ctx.db,
        principalOf(request).user.id,
        request.params.id,
        request.body.ids,
        ctx.now(),
      ),
    }),
  );

  app.post<{ Params: { id: string }; Body: AlbumAssetsRequest }>(
    '/api/albums/:id/assets/remove',
    {
      schema: {
        summary: 'Take photos out of an album',
        description:
          'The owner takes out any; a contributor what they added. The photos stay in the library.',
        tags: ['albums'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        body: bulkIdsSchema,
        response: { 200: idsResponseSchema },
      },
    },
    async (request): Promise<AlbumAssetsResponse> => ({
      ids: await removeFromAlbum(
        ctx.db,
        principalOf(request).user.id,
        request.params.id,
        request.body.ids,
        ctx.now(),
      ),
    }),
  );

  app.post<{ Params: { id: string }; Body: AddMemberRequest }>(
    '/api/albums/:id/members',
    {
      schema: {
        querystring: noQuerySchema,
        summary: 'Share an album with an account',
        description: 'The owner only, as viewer or contributor.',
        tags: ['albums'],
        params: idParamsSchema,
        body: {
          type: 'object',
          required: ['userId', 'role'],
          properties: { userId: { type: 'string', minLength: 1, maxLength: 64 }, role: roleSchema },
        },
        response: { 201: albumResponseSchema },
      },
    },
    async (request, reply): Promise<Album> => {
      const userId = principalOf(request).user.id;
      await addMember(ctx.db, userId, request.params.id, request.body, ctx.now());
      void reply.code(201);
      return getAlbum(ctx.db, userId, request.params.id);
    },
  );

  app.patch<{ Params: { id: string; userId: string }; Body: UpdateMemberRequest }>(
    '/api/albums/:id/members/:userId',
    {
      schema: {
        querystring: noQuerySchema,
        summary: "Change a member's role, or your own timeline choice",
        description: 'The owner changes `role`; a member changes their own `showInTimeline`.',
        tags: ['albums'],
        params: memberParamsSchema,
        body: {
          type: 'object',
          minProperties: 1,
          properties: { role: roleSchema, showInTimeline: { type: 'boolean' } },
          examples: [{ role: 'contributor' }],
        },
        response: { 200: albumResponseSchema },
      },
    },
    async (request): Promise<Album> => {
      const userId = principalOf(request).user.id;
      await updateMember(ctx.db, userId, request.params.id, request.params.userId, request.body, ctx.now());
      return getAlbum(ctx.db, userId, request.params.id);
    },
  );

  app.delete<{ Params: { id: string; userId: string } }>(
    '/api/albums/:id/members/:userId',
    {
      schema: {
        summary: 'Remove a member, or leave',
        description: 'What the member added leaves the album with them.',
        tags: ['albums'],
        params: memberParamsSchema,
        querystring: noQuerySchema,
        response: { 204: emptyResponse('Removed.') },
      },
    },
    async (request, reply) => {
      await removeMember(
        ctx.db,
        principalOf(request).user.id,
        request.params.id,
        request.params.userId,
        ctx.now(),
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/accounts',
    {
      schema: {
        querystring: noQuerySchema,
        summary: 'The other accounts of this server',
        description: 'To share albums with.',
        tags: ['albums'],
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'name', 'email'],
              properties: { id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' } },
            },
          },
        },
      },
    },
    async (request): Promise<ShareableAccount[]> => shareableAccounts(ctx.db, principalOf(request).user.id),
  );
}
