import type { FastifyInstance } from 'fastify';
import type { ConfigResponse } from '../../shared/api';
import { TUS_ENDPOINT } from '../../shared/tus';
import { hasAnyUser } from '../auth/users';
import type { AppContext } from '../context';
import { noQuerySchema, type ObjectSchemaOf } from './schemas';

const configResponseSchema = {
  type: 'object',
  required: ['limits', 'setupRequired', 'tus'],
  properties: {
    limits: {
      type: 'object',
      description: 'What the server accepts; clients check before sending a byte.',
      required: ['maxPhotoBytes', 'maxPhotoPixels', 'maxVideoBytes'],
      properties: {
        maxPhotoBytes: { type: 'integer' },
        maxPhotoPixels: { type: 'integer' },
        maxVideoBytes: { type: 'integer' },
      },
    },
    setupRequired: { type: 'boolean', description: 'True while the server has no account yet.' },
    tus: {
      type: 'object',
      required: ['endpoint', 'maxChunkBytes'],
      properties: {
        endpoint: { type: 'string', description: 'Where tus uploads go.' },
        maxChunkBytes: { type: 'integer', description: 'The largest request body an upload may send.' },
      },
    },
  },
} as const satisfies ObjectSchemaOf<ConfigResponse>;

/** Public routes: liveness and what the app needs before anyone signs in. */
export function registerMetaRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness',
        tags: ['meta'],
        querystring: noQuerySchema,
        response: {
          200: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean', const: true } } },
        },
      },
    },
    () => ({ ok: true }),
  );

  app.get(
    '/api/config',
    {
      config: { public: true },
      schema: {
        summary: 'Limits and upload settings',
        tags: ['meta'],
        querystring: noQuerySchema,
        response: { 200: configResponseSchema },
      },
    },
    async (_request, reply): Promise<ConfigResponse> => {
      void reply.header('cache-control', 'no-store');
      return {
        limits: ctx.config.limits,
        setupRequired: !(await hasAnyUser(ctx.db)),
        tus: { endpoint: TUS_ENDPOINT, maxChunkBytes: ctx.config.tusMaxChunkBytes },
      };
    },
  );
}
