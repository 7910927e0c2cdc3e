import type { FastifyInstance } from 'fastify';
import { TOKEN_SCOPES, type ApiToken, type CreateTokenRequest, type CreatedToken } from '../../shared/api';
import { createToken, listTokens, revokeToken } from '../auth/api-tokens';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import {
  apiTokenSchema,
  createdTokenSchema,
  emptyResponse,
  idParamsSchema,
  nameSchema,
  noQuerySchema,
  ref,
} from './schemas';

/** A user's own API tokens, for scripts and other clients (`Authorization: Bearer sbx_…`). */
export function registerTokenRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/tokens',
    {
      schema: {
        summary: "The caller's API tokens",
        tags: ['tokens'],
        querystring: noQuerySchema,
        response: { 200: { type: 'array', items: ref(apiTokenSchema) } },
      },
    },
    async (request): Promise<ApiToken[]> => listTokens(ctx.db, principalOf(request).user.id),
  );

  app.post<{ Body: CreateTokenRequest }>(
    '/api/tokens',
    {
      schema: {
        summary: 'Create an API token',
        tags: ['tokens'],
        querystring: noQuerySchema,
        body: {
          type: 'object',
          required: ['name'],
          properties: {
            name: nameSchema,
            scope: { type: 'string', enum: TOKEN_SCOPES },
            expiresAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        response: { 201: ref(createdTokenSchema, 'The token, with its secret shown this once.') },
      },
    },
    async (request, reply): Promise<CreatedToken> => {
      const { name, scope = 'full', expiresAt = null } = request.body;
      const now = ctx.now();
      const expires = expiresAt === null ? null : new Date(expiresAt);
      if (expires !== null && !(expires.getTime() > now.getTime())) {
        throw new ApiError('BAD_REQUEST', '"expiresAt" must be in the future.');
      }
      const token = await createToken(
        ctx.db,
        principalOf(request).user.id,
        { name, scope, expiresAt: expires },
        now,
      );
      void reply.code(201).header('cache-control', 'no-store');
      return token;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/tokens/:id',
    {
      schema: {
        summary: 'Revoke an API token',
        tags: ['tokens'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        response: { 204: emptyResponse('Revoked: the token no longer works.') },
      },
    },
    async (request, reply) => {
      const revoked = await revokeToken(ctx.db, principalOf(request).user.id, request.params.id);
      if (!revoked) throw new ApiError('NOT_FOUND', 'That API token does not exist.');
      return reply.code(204).send();
    },
  );
}
