/**
 * Public links (issue 16): managing them (signed in, the owner's own), then the routes of the page
 * a link opens (link-page.ts) and the page itself with its preview (link-preview.ts).
 */
import type { FastifyInstance } from 'fastify';
import { BULK_MAX } from '../../shared/api';
import type { CreateLinkRequest, LinkList, SharedLink, UpdateLinkRequest } from '../../shared/links';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { createLink, deleteLink, getLink, listLinks, updateLink } from '../library/links';
import { registerLinkPageRoutes } from './link-page';
import { sendLinkPage } from './link-preview';
import { linkSettingsProperties, sharedLinkSchema, type KeyParams } from './link-schemas';
import { emptyResponse, idParamsSchema, noQuerySchema } from './schemas';

/** Nothing these routes answer is kept by a shared cache, and only revalidated by the browser's. */
const PRIVATE = 'private, no-cache';

export function registerLinkRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/links',
    {
      schema: {
        summary: 'Your public links',
        description: 'Newest first, with how many photos each shows, its views and its last use.',
        tags: ['links'],
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['links'],
            properties: { links: { type: 'array', items: sharedLinkSchema } },
          },
        },
      },
    },
    async (request, reply): Promise<LinkList> => {
      void reply.header('cache-control', PRIVATE);
      return { links: await listLinks(ctx.db, principalOf(request).user.id) };
    },
  );

  app.post<{ Body: CreateLinkRequest }>(
    '/api/links',
    {
      schema: {
        summary: 'Make a public link',
        description:
          'To an album of yours (`albumId`) or a selection of your photos (`assetIds`). Downloads, details and place are off unless turned on; `password` is stored hashed.',
        tags: ['links'],
        querystring: noQuerySchema,
        body: {
          type: 'object',
          properties: {
            ...linkSettingsProperties,
            albumId: { type: 'string', minLength: 1, maxLength: 64 },
            assetIds: {
              type: 'array',
              minItems: 1,
              maxItems: BULK_MAX,
              items: { type: 'string', minLength: 1, maxLength: 64 },
            },
          },
          oneOf: [{ required: ['albumId'] }, { required: ['assetIds'] }],
          examples: [{ albumId: '0b7e3c1e-34a5-4b8e-9d7c-3c2f1e0d9a88', allowDownload: true }],
        },
        response: { 201: sharedLinkSchema },
      },
    },
    async (request, reply): Promise<SharedLink> => {
      const ownerId = principalOf(request).user.id;
      const id = await createLink(ctx.db, ownerId, request.body, ctx.now());
      void reply.code(201);
      return getLink(ctx.db, ownerId, id);
    },
  );

  app.patch<{ Params: { id: string }; Body: UpdateLinkRequest }>(
    '/api/links/:id',
    {
      schema: {
        summary: 'Change a public link',
        description: 'A new password (or null for none) ends the access of everyone who gave the old one.',
        tags: ['links'],
        querystring: noQuerySchema,
        params: idParamsSchema,
        body: {
          type: 'object',
          minProperties: 1,
          properties: linkSettingsProperties,
          examples: [{ showPlace: false }],
        },
        response: { 200: sharedLinkSchema },
      },
    },
    async (request): Promise<SharedLink> => {
      const ownerId = principalOf(request).user.id;
      await updateLink(ctx.db, ownerId, request.params.id, request.body);
      return getLink(ctx.db, ownerId, request.params.id);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/links/:id',
    {
      schema: {
        summary: 'Revoke a public link',
        description: 'The link stops working at once, on every route of its page.',
        tags: ['links'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        response: { 204: emptyResponse('Revoked.') },
      },
    },
    async (request, reply) => {
      await deleteLink(ctx.db, principalOf(request).user.id, request.params.id);
      return reply.code(204).send();
    },
  );

  registerLinkPageRoutes(app, ctx);

  // ——— The page itself, with an Open Graph preview for links without a password ———

  app.get<{ Params: KeyParams }>('/s/:key', async (request, reply) => sendLinkPage(ctx, request, reply));
}
