import type { FastifyInstance } from 'fastify';
import type { AddMemberRequest, Album, ShareableAccount, UpdateMemberRequest } from '../../shared/albums';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { addMember, getAlbum, removeMember, shareableAccounts, updateMember } from '../library/albums';
import { albumResponseSchema, memberParamsSchema, roleSchema } from './album-schemas';
import { emptyResponse, idParamsSchema, noQuerySchema } from './schemas';

/** Sharing an album with other accounts of the server: members, their roles, leaving. */
export function registerAlbumMemberRoutes(app: FastifyInstance, ctx: AppContext): void {
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
