import type { FastifyInstance } from 'fastify';
import { SHARE_TARGET_ACTION, backupUrlFor } from '../../shared/shareTarget';

/**
 * POST /share-target reaches the server only when no service worker answered it: the app was
 * installed but its worker is gone (storage cleared) or not yet running. The body is not read
 * (nobody is known to be signed in, and a video could be gigabytes); the answer is the same
 * 303 to the Backup screen the worker gives, which then says in a sentence that nothing was
 * received and to share again. Opening that screen installs the worker for the next share.
 */
export async function registerShareTargetRoute(app: FastifyInstance): Promise<void> {
  await app.register((scope, _options, done) => {
    // Any content type is accepted here without reading it, instead of fastify's 415 for multipart.
    scope.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null, undefined));
    scope.post(SHARE_TARGET_ACTION, async (_request, reply) =>
      reply.header('cache-control', 'no-store').redirect(backupUrlFor({ status: 'no-worker' }), 303),
    );
    done();
  });
}
