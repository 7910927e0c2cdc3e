import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyCors from '@fastify/cors';
import { EXPOSED_HEADERS } from '@tus/server';
import fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { registerAuthentication } from './auth/hook';
import { registerOriginCheck } from './auth/origin';
import { LoginThrottle } from './auth/login-throttle';
import { readTls, type Config } from './config';
import type { AppContext } from './context';
import { openDatabase } from './db';
import { ApiError, toApiError } from './errors';
import { JobQueue, PRUNE_JOBS_EVERY_MS, PRUNE_JOBS_JOB, pruneJobsJob } from './jobs/queue';
import { postgresWakeups } from './jobs/wakeups';
import { METADATA_JOB, metadataJob } from './library/media-metadata';
import { RequestLogController, loggerOptions } from './logging';
import { registerOpenApi } from './openapi';
import { THUMBNAIL_JOB, thumbnailJob } from './library/thumbnails';
import { PURGE_TRASH_EVERY_MS, PURGE_TRASH_JOB, purgeTrashJob } from './library/trash';
import { registerAlbumRoutes } from './routes/albums';
import { registerAssetRoutes } from './routes/assets';
import { registerSearchRoutes } from './routes/search';
import { registerMapRoutes } from './routes/map';
import { registerMemoryRoutes } from './routes/memories';
import { SEARCH_INDEX_EVERY_MS, SEARCH_INDEX_JOB, searchIndexJob } from './search/index-job';
import { registerLinkRoutes } from './routes/links';
import { registerOrganiseRoutes } from './routes/organise';
import { registerMetaRoutes } from './routes/meta';
import { registerSessionRoutes } from './routes/session';
import { registerSetupRoute } from './routes/setup';
import { registerShareTargetRoute } from './routes/shareTarget';
import { registerThumbRoutes } from './routes/thumbs';
import { registerTokenRoutes } from './routes/tokens';
import { registerTrashRoutes } from './routes/trash';
import { registerUserRoutes } from './routes/users';
import { registerSecurityHeaders } from './security-headers';
import { registerBodyRate, type BodyRate } from './slow-bodies';
import { registerStatic } from './static';
import { openScratchDir } from './storage/scratch';
import { openBlobStores } from './storage/stores';
import { registerUploadRoutes } from './uploads/routes';
import { EXTRA_EXPOSED_HEADERS } from './uploads/tus-server';

/** How often a job worker on SQLite looks for jobs queued by another process (an API process). */
const SQLITE_POLL_MS = 2_000;

declare module 'fastify' {
  interface FastifyInstance {
    /** The background job queue (tests await `jobs.idle()`). */
    jobs: JobQueue;
    /** This process's own scratch directory (storage/scratch.ts). */
    scratchDir: string;
  }
}

export interface AppOptions {
  /** The clock; tests move it to expire sessions. */
  now?: () => Date;
  /** Sees every route as it is added (tests enumerate them to prove each one is guarded). */
  onRoute?: (route: RouteOptions) => void;
  /** False: the job queue is not worked (tests leave jobs queued to see them resume). */
  startJobs?: boolean;
  /** How slowly a request body may arrive before it is cut (tests shorten the window). */
  bodyRate?: BodyRate;
}

/**
 * Makes a graceful close end connections that never sent a byte. Node 20's
 * `closeIdleConnections()` skips them (only sockets that have carried a request count as idle),
 * so `close()` would wait for a browser's speculative preconnect, or a spare socket an HTTP client
 * opened, until `headersTimeout`. One that has sent anything is left to finish its request, and
 * goes once it is answered.
 */
function closeSilentConnectionsOnClose(app: FastifyInstance): void {
  const sockets = new Set<Socket>();
  let closing = false;
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Node closes idle connections once, when close() begins: one whose request was still under
  // way (an upload chunk arriving, a download going out) then stayed open after its answer, for
  // the client's keep-alive to end it (72 s). Each answer finished while closing makes another pass.
  app.server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    response.once('finish', () => {
      if (closing) app.server.closeIdleConnections();
    });
  });
  app.addHook('preClose', (done) => {
    closing = true;
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
    done();
  });
}

/**
 * The whole server: API, uploads, the background jobs and the built app, over the database of
 * `config.database` (created and migrated here) and the blob stores in `config.dataDir`. Closing the app stops the jobs,
 * then closes the database.
 */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  await fs.mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  // A data folder made by an earlier version (0755) is closed to other users: nothing inside can
  // then be reached by them, whatever the modes of the files made before (main.ts sets the umask).
  await fs.chmod(config.dataDir, 0o700);
  // Read before the instance exists: a missing or mismatched file is a ConfigError, not a half-built app.
  const https = config.tls === null ? null : await readTls(config.tls);
  // A hop count as fastify documents it (its typings lack the number form): trust the nearest `n`.
  const hops = config.trustProxy;
  const trustProxy = typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : hops;
  const app = fastify({
    logger: loggerOptions(config.logLevel, config.logFormat, process.stdout.isTTY),
    logController: new RequestLogController(),
    trustProxy,
    https,
  });
  if (options.onRoute !== undefined) app.addHook('onRoute', options.onRoute);
  closeSilentConnectionsOnClose(app);
  try {
    const database = await openDatabase(config.database, {
      onIdleError: (error) => app.log.warn({ err: error }, 'an idle database connection failed'),
    });
    const { db } = database;
    const now = options.now ?? (() => new Date());
    const jobs = new JobQueue({
      db,
      now,
      log: app.log,
      concurrency: config.jobConcurrency,
      // PostgreSQL announces new jobs to every process; on SQLite a worker in another process
      // (SHOEBOX_ROLE) finds them by looking every few seconds.
      ...(database.dialect === 'postgres'
        ? { wakeups: postgresWakeups(database.pool, app.log) }
        : { pollMs: SQLITE_POLL_MS }),
    });
    // Running jobs are handed back as soon as closing starts, so that another process can take
    // them while this one finishes its requests; the database closes last.
    app.addHook('preClose', async () => {
      await jobs.stop();
    });
    app.addHook('onClose', async () => {
      await db.destroy();
    });
    app.decorate('jobs', jobs);
    const scratch = await openScratchDir(path.join(config.dataDir, 'tmp'));
    app.addHook('onClose', async () => {
      await scratch.remove();
    });
    const tmpDir = scratch.path;
    app.decorate('scratchDir', tmpDir);
    const stores = await openBlobStores(config);
    app.addHook('onClose', (_instance, done) => {
      stores.close();
      done();
    });
    const ctx: AppContext = {
      config,
      db,
      blobs: stores.originals,
      thumbs: stores.thumbs,
      tmpDir,
      jobs,
      loginThrottle: new LoginThrottle(db, now),
      now,
    };
    jobs.register(THUMBNAIL_JOB, thumbnailJob(ctx, app.log));
    jobs.register(METADATA_JOB, metadataJob(ctx, app.log));
    jobs.register(PURGE_TRASH_JOB, purgeTrashJob(ctx, app.log), { everyMs: PURGE_TRASH_EVERY_MS });
    jobs.register(PRUNE_JOBS_JOB, pruneJobsJob(db, now), { everyMs: PRUNE_JOBS_EVERY_MS });
    jobs.register(SEARCH_INDEX_JOB, searchIndexJob(db, app.log), { everyMs: SEARCH_INDEX_EVERY_MS });

    // The one place an error becomes a response: the catalogue's status and JSON body.
    app.setErrorHandler((error, request, reply) => {
      const apiError = toApiError(error);
      if (apiError.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
      if (apiError.retryAfterSeconds !== undefined)
        void reply.header('retry-after', apiError.retryAfterSeconds);
      return reply.code(apiError.status).type('application/json; charset=utf-8').send(apiError.body);
    });

    if (config.role === 'worker') {
      // A worker serves nobody: only its health (for whatever watches it) and /api/config.
      registerMetaRoutes(app, ctx);
      if (options.startJobs !== false) await jobs.start();
      return app;
    }
    await app.register(fastifyCookie);
    // Pages on the origins in SHOEBOX_CORS_ORIGINS (none by default) may call the API and upload
    // with a token (an Uppy Dashboard on another site). Registered before authentication and the
    // rate limit, so that such a page can read a 401 or a 429. Cookies stay same-site: no
    // Allow-Credentials.
    await app.register(fastifyCors, {
      origin: config.corsOrigins.length === 0 ? false : config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      exposedHeaders: [EXPOSED_HEADERS, ...EXTRA_EXPOSED_HEADERS],
      maxAge: 24 * 60 * 60,
    });
    await registerSecurityHeaders(app, config.staticDir);
    // Request rates for the routes that opt in (`config.rateLimit`): sign-in and setup, which
    // anyone may call and which hash a password. Counted in memory per process, in front of the
    // database's sign-in throttle, so that a flood costs no database writes.
    await app.register(fastifyRateLimit, {
      global: false,
      hook: 'onRequest',
      errorResponseBuilder: (_request, context) =>
        new ApiError('RATE_LIMITED', `Too many requests. Try again in ${context.after}.`, {
          retryAfterSeconds: Math.ceil(context.ttl / 1000),
        }),
    });
    registerBodyRate(app, options.bodyRate);
    registerOriginCheck(app);
    registerAuthentication(app, ctx);
    // Before every route: it collects them as they are added.
    await registerOpenApi(app);
    registerMetaRoutes(app, ctx);
    registerSetupRoute(app, ctx);
    registerSessionRoutes(app, ctx);
    registerUserRoutes(app, ctx);
    registerTokenRoutes(app, ctx);
    registerAssetRoutes(app, ctx);
    registerTrashRoutes(app, ctx);
    registerSearchRoutes(app, ctx);
    registerMapRoutes(app, ctx);
    registerMemoryRoutes(app, ctx);
    registerOrganiseRoutes(app, ctx);
    registerAlbumRoutes(app, ctx);
    registerLinkRoutes(app, ctx);
    await registerThumbRoutes(app, ctx);
    await registerUploadRoutes(app, ctx);
    await registerShareTargetRoute(app);
    await registerStatic(app, config.staticDir);
    // An API process queues jobs and leaves them to the workers.
    if (config.role !== 'api' && options.startJobs !== false) await jobs.start();
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}
