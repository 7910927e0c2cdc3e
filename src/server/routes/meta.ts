import type { FastifyInstance } from 'fastify';
import type { ConfigResponse } from '../../shared/api';
import { TUS_ENDPOINT } from '../../shared/tus';
import { hasAnyUser } from '../auth/users';
import type { AppContext } from '../context';

/** Public routes: liveness and what the app needs before anyone signs in. */
export function registerMetaRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/health', { config: { public: true } }, () => ({ ok: true }));

  app.get('/api/config', { config: { public: true } }, async (_request, reply): Promise<ConfigResponse> => {
    void reply.header('cache-control', 'no-store');
    return {
      limits: ctx.config.limits,
      setupRequired: !(await hasAnyUser(ctx.db)),
      tus: { endpoint: TUS_ENDPOINT, maxChunkBytes: ctx.config.tusMaxChunkBytes },
    };
  });
}
