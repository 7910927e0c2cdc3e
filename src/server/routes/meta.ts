import type { FastifyInstance } from 'fastify';
import type { ConfigResponse, HealthResponse } from '../../shared/api';
import { TUS_ENDPOINT } from '../../shared/tus';
import { hasAnyUser } from '../auth/users';
import type { AppContext } from '../context';
import { checkHealth } from '../health';
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

const availability = { type: 'string', enum: ['ok', 'unavailable'] } as const;

const healthResponseSchema = {
  type: 'object',
  required: ['ok', 'role', 'database', 'store'],
  properties: {
    ok: { type: 'boolean', description: 'Whether this process can serve: its database and store answer.' },
    role: { type: 'string', enum: ['api', 'worker', 'all'], description: 'SHOEBOX_ROLE of this process.' },
    database: availability,
    store: availability,
  },
} as const satisfies ObjectSchemaOf<HealthResponse>;

/** Public routes: health and what the app needs before anyone signs in. */
export function registerMetaRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        summary: 'Health, for load balancers',
        description:
          'Checks this process’s database and blob store: 200 when both answer, 503 when either does not.',
        tags: ['meta'],
        querystring: noQuerySchema,
        response: { 200: healthResponseSchema, 503: healthResponseSchema },
      },
    },
    async (request, reply): Promise<HealthResponse> => {
      const health = await checkHealth(ctx, request.log);
      void reply.header('cache-control', 'no-store').code(health.ok ? 200 : 503);
      return health;
    },
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
