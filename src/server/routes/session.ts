import type { FastifyInstance } from 'fastify';
import type { ChangePasswordRequest, LoginRequest, StorageUsage, User } from '../../shared/api';
import { clearSessionCookie, principalOf, setSessionCookie } from '../auth/hook';
import { assertHashingCapacity, decoyHash, verifyPassword } from '../auth/password';
import { createSession, deleteExpiredSessions, deleteSession, deleteUserSessions } from '../auth/sessions';
import { findUserByEmail, findUserById, setPassword, storageOf, toUser } from '../auth/users';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import {
  SIGN_IN_RATE,
  slowRefusal,
  emailSchema,
  emptyResponse,
  noBodySchema,
  noQuerySchema,
  passwordSchema,
  ref,
  storageUsageSchema,
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
      // Said only to whoever knows the password: to anyone else it is a wrong password as usual.
      if (row.disabled_at !== null) throw new ApiError('ACCOUNT_DISABLED');
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

  /** Signs out every browser and app of the caller, this one included (API tokens stay). */
  app.post(
    '/api/auth/logout-everywhere',
    {
      schema: {
        summary: 'Sign out every session of the caller, this one included',
        tags: ['accounts'],
        querystring: noQuerySchema,
        body: noBodySchema,
        response: { 204: emptyResponse('Signed out everywhere; API tokens keep working.') },
      },
    },
    async (request, reply) => {
      await deleteUserSessions(ctx.db, principalOf(request).user.id);
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: ChangePasswordRequest }>(
    '/api/auth/password',
    {
      schema: {
        summary: "Change the caller's password; every other session ends",
        tags: ['accounts'],
        querystring: noQuerySchema,
        body: {
          type: 'object',
          required: ['currentPassword', 'newPassword'],
          properties: {
            currentPassword: {
              type: 'string',
              minLength: 1,
              maxLength: 1024,
              examples: passwordSchema.examples,
            },
            newPassword: passwordSchema,
          },
        },
        response: { 204: emptyResponse('Changed; other sessions are signed out.') },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const row = await findUserById(ctx.db, principal.user.id);
      if (row === undefined || !(await verifyPassword(request.body.currentPassword, row.password_hash))) {
        throw new ApiError('WRONG_PASSWORD');
      }
      await setPassword(ctx.db, row.id, request.body.newPassword);
      // Whoever knew the old password is signed out everywhere else; this browser stays in.
      await deleteUserSessions(
        ctx.db,
        row.id,
        principal.kind === 'session' ? principal.sessionId : undefined,
      );
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

  app.get(
    '/api/me/storage',
    {
      schema: {
        summary: "What the caller's photos and videos take on the server, against the quota",
        tags: ['accounts'],
        querystring: noQuerySchema,
        response: { 200: storageUsageSchema },
      },
    },
    (request): Promise<StorageUsage> => storageOf(ctx.db, principalOf(request).user.id),
  );
}
