import type { FastifyInstance } from 'fastify';
import type { CreateUserRequest, User } from '../../shared/api';
import { requireOwner } from '../auth/hook';
import { createUser, listUsers } from '../auth/users';
import type { AppContext } from '../context';
import { emailSchema, nameSchema, noQuerySchema, passwordSchema, ref, userSchema } from './schemas';

/** The owner adds accounts and sees who has one. */
export function registerUserRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/users',
    {
      schema: {
        summary: 'Every account (owner only)',
        tags: ['accounts'],
        querystring: noQuerySchema,
        response: { 200: { type: 'array', items: ref(userSchema) } },
      },
    },
    async (request): Promise<User[]> => {
      requireOwner(request);
      return listUsers(ctx.db);
    },
  );

  app.post<{ Body: CreateUserRequest }>(
    '/api/users',
    {
      schema: {
        summary: 'Add an account (owner only)',
        tags: ['accounts'],
        querystring: noQuerySchema,
        body: {
          type: 'object',
          required: ['email', 'name', 'password'],
          properties: {
            email: { ...emailSchema, examples: ['grace@example.com'] },
            name: nameSchema,
            password: passwordSchema,
            role: { type: 'string', enum: ['owner', 'member'] },
          },
        },
        response: { 201: ref(userSchema, 'The new account.') },
      },
    },
    async (request, reply): Promise<User> => {
      requireOwner(request);
      const { email, name, password, role = 'member' } = request.body;
      const user = await createUser(ctx.db, { email, name, password, role }, ctx.now());
      void reply.code(201);
      return user;
    },
  );
}
