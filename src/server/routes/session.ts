import type { FastifyInstance } from 'fastify';
import type { LoginRequest, User } from '../../shared/api';
import { clearSessionCookie, principalOf, setSessionCookie } from '../auth/hook';
import { assertHashingCapacity, decoyHash, verifyPassword } from '../auth/password';
import { createSession, deleteExpiredSessions, deleteSession } from '../auth/sessions';
import { findUserByEmail, toUser } from '../auth/users';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import {
  SIGN_IN_RATE,
  slowRefusal,
  emailSchema,
  emptyResponse,
  noBodySchema,
  noQuerySchema,
  ref,
  userSchema,
} from './schemas';

/** Sign in, sign out, and who am I. */
export function registerSessionRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: LoginRequest }>(
    '/api/auth/login',
    {
      config: { public: true, rateLimit: SIGN_IN_RATE },
      onSend: slowRefusal,
      schema: {
        summary: 'Sign in',
        description: 'Answers with a session cookie (HttpOnly). Scripts use an API token instead.',
        tags: ['accounts'],
        querystring: noQuerySchema,
        body: {
          type: 'object',
          required: ['email', 'password'],
          properties: {
            email: emailSchema,
            password: { type: 'string', minLength: 1, maxLength: 1024, examples: ['correct horse battery'] },
          },
        },
        response: { 200: ref(userSchema, 'Signed in.') },
      },
    },
    async (request, reply): Promise<User> => {
      const { email, password } = request.body;
      assertHashingCapacity();
      const admission = await ctx.loginThrottle.admit(email, request.ip);
      if (!admission.allowed) {
        const minutes = Math.ceil(admission.retryAfterMs / 60_000);
        throw new ApiError(
          'RATE_LIMITED',
          `Too many sign-in attempts. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`,
          { retryAfterSeconds: Math.ceil(admission.retryAfterMs / 1000) },
        );
      }
      const row = await findUserByEmail(ctx.db, email);
      // Verify against a decoy when there is no such account, so both failures take as long.
      const valid = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
      if (row === undefined || !valid) throw new ApiError('INVALID_CREDENTIALS');
      await ctx.loginThrottle.succeeded(admission);
      const now = ctx.now();
      await deleteExpiredSessions(ctx.db, now);
      const session = await createSession(ctx.db, row.id, now);
      setSessionCookie(request, reply, session.secret, session.expiresAt);
      return toUser(row);
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        summary: 'Sign out this session',
        tags: ['accounts'],
        querystring: noQuerySchema,
        body: noBodySchema,
        response: { 204: emptyResponse('Signed out; the session cookie is cleared.') },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind === 'session') await deleteSession(ctx.db, principal.sessionId);
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/me',
    {
      schema: {
        summary: 'The account of the caller',
        tags: ['accounts'],
        querystring: noQuerySchema,
        response: { 200: ref(userSchema) },
      },
    },
    (request): User => principalOf(request).user,
  );
}
