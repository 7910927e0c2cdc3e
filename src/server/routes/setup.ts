import type { FastifyInstance } from 'fastify';
import type { SetupRequest, User } from '../../shared/api';
import { setSessionCookie } from '../auth/hook';
import { createSession } from '../auth/sessions';
import { createOwner } from '../auth/users';
import type { AppContext } from '../context';
import {
  SIGN_IN_RATE,
  slowRefusal,
  emailSchema,
  nameSchema,
  noQuerySchema,
  passwordSchema,
  ref,
  userSchema,
} from './schemas';

/** `POST /api/setup`: the first account, the owner, once; it is signed in straight away. */
export function registerSetupRoute(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: SetupRequest }>(
    '/api/setup',
    {
      config: { public: true, rateLimit: SIGN_IN_RATE },
      onSend: slowRefusal,
      schema: {
        summary: 'Create the owner account (once, on a fresh server)',
        description: 'Answers with the session cookie of the new account.',
        tags: ['accounts'],
        querystring: noQuerySchema,
        body: {
          type: 'object',
          required: ['email', 'name', 'password'],
          properties: { email: emailSchema, name: nameSchema, password: passwordSchema },
        },
        response: { 201: ref(userSchema, 'The owner, signed in.') },
      },
    },
    async (request, reply): Promise<User> => {
      const now = ctx.now();
      const user = await createOwner(ctx.db, request.body, now);
      const session = await createSession(ctx.db, user.id, now);
      setSessionCookie(request, reply, session.secret, session.expiresAt);
      void reply.code(201);
      return user;
    },
  );
}
