import type { FastifyInstance } from 'fastify';
import type { ApiToken, CreateTokenRequest, CreatedToken } from '../../shared/api';
import { createToken, listTokens, revokeToken } from '../auth/api-tokens';
import { principalOf } from '../auth/hook';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import { nameSchema, idParamsSchema } from './schemas';

/** A user's own API tokens, for scripts and other clients (`Authorization: Bearer sbx_…`). */
export function registerTokenRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/tokens', async (request): Promise<ApiToken[]> =>
    listTokens(ctx.db, principalOf(request).user.id),
  );

  app.post<{ Body: CreateTokenRequest }>(
    '/api/tokens',
    { schema: { body: { type: 'object', required: ['name'], properties: { name: nameSchema } } } },
    async (request, reply): Promise<CreatedToken> => {
      const token = await createToken(ctx.db, principalOf(request).user.id, request.body.name, ctx.now());
      void reply.code(201).header('cache-control', 'no-store');
      return token;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/tokens/:id',
    { schema: { params: idParamsSchema } },
    async (request, reply) => {
      const revoked = await revokeToken(ctx.db, principalOf(request).user.id, request.params.id);
      if (!revoked) throw new ApiError('NOT_FOUND', 'That API token does not exist.');
      return reply.code(204).send();
    },
  );
}
