import fastifyCookie from '@fastify/cookie';
import fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import fs from 'node:fs/promises';
import path from 'node:path';
import { registerAuthentication } from './auth/hook';
import { LoginThrottle } from './auth/login-throttle';
import type { Config } from './config';
import type { AppContext } from './context';
import { openDatabase } from './db';
import { toApiError } from './errors';
import { registerAssetRoutes } from './routes/assets';
import { registerMetaRoutes } from './routes/meta';
import { registerSessionRoutes } from './routes/session';
import { registerSetupRoute } from './routes/setup';
import { registerTokenRoutes } from './routes/tokens';
import { registerUserRoutes } from './routes/users';
import { registerStatic } from './static';
import { FsBlobStore } from './storage/fs-blob-store';
import { registerUploadRoutes } from './uploads/routes';

export interface AppOptions {
  /** The clock; tests move it to expire sessions. */
  now?: () => Date;
  loginThrottle?: LoginThrottle;
  /** Sees every route as it is added (tests enumerate them to prove each one is guarded). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * The whole server: API, uploads and the built app, over the SQLite database and blob store in
 * `config.dataDir` (created and migrated here). Closing the app closes the database.
 */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  await fs.mkdir(config.dataDir, { recursive: true });
  const app = fastify({ logger: { level: config.logLevel }, trustProxy: config.trustProxy });
  if (options.onRoute !== undefined) app.addHook('onRoute', options.onRoute);
  try {
    const db = await openDatabase(path.join(config.dataDir, 'shoebox.sqlite'));
    app.addHook('onClose', () => db.destroy());
    const ctx: AppContext = {
      config,
      db,
      blobs: new FsBlobStore(path.join(config.dataDir, 'blobs')),
      loginThrottle: options.loginThrottle ?? new LoginThrottle(),
      now: options.now ?? (() => new Date()),
    };

    // The one place an error becomes a response: the catalogue's status and JSON body.
    app.setErrorHandler((error, request, reply) => {
      const apiError = toApiError(error);
      if (apiError.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
      return reply.code(apiError.status).type('application/json; charset=utf-8').send(apiError.body);
    });

    await app.register(fastifyCookie);
    registerAuthentication(app, ctx);
    registerMetaRoutes(app, ctx);
    registerSetupRoute(app, ctx);
    registerSessionRoutes(app, ctx);
    registerUserRoutes(app, ctx);
    registerTokenRoutes(app, ctx);
    registerAssetRoutes(app, ctx);
    await registerUploadRoutes(app, ctx);
    await registerStatic(app, config.staticDir);
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}
