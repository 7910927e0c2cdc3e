import type { FastifyInstance } from 'fastify';
import type {
  CreateUserRequest,
  ResetPasswordRequest,
  UpdateUserRequest,
  User,
  UserSummary,
} from '../../shared/api';
import { requireOwner } from '../auth/hook';
import { deleteUserSessions } from '../auth/sessions';
import { createUser, findUserById, listUsers, setDisabled, setPassword, setQuota } from '../auth/users';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import {
  emailSchema,
  emptyResponse,
  idParamsSchema,
  nameSchema,
  noQuerySchema,
  passwordSchema,
  ref,
  userSchema,
  userSummarySchema,
} from './schemas';

/** The owner adds accounts, sees who has one and what each stores, turns them off, resets passwords. */
export function registerUserRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/users',
    {
      schema: {
        summary: 'Every account with what it stores (owner only)',
        tags: ['accounts'],
        querystring: noQuerySchema,
        response: { 200: { type: 'array', items: userSummarySchema } },
      },
    },
    async (request): Promise<UserSummary[]> => {
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

  app.patch<{ Params: { id: string }; Body: UpdateUserRequest }>(
    '/api/users/:id',
    {
      schema: {
        summary: 'Turn an account off or on, or set its storage quota (owner only)',
        tags: ['accounts'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            disabled: {
              type: 'boolean',
              description: 'True signs the account out and refuses it everywhere.',
            },
            quotaBytes: {
              type: ['integer', 'null'],
              minimum: 0,
              maximum: 1e15,
              description: 'The most bytes the account may store, trash included; null: no limit.',
            },
          },
        },
        response: { 200: userSummarySchema },
      },
    },
    async (request): Promise<UserSummary> => {
      const owner = requireOwner(request);
      const { id } = request.params;
      if ((await findUserById(ctx.db, id)) === undefined)
        throw new ApiError('NOT_FOUND', 'There is no such account.');
      const { disabled, quotaBytes } = request.body;
      if (quotaBytes !== undefined) await setQuota(ctx.db, id, quotaBytes);
      if (disabled !== undefined) {
        // The owner turning their own account off would leave nobody to turn it on again.
        if (id === owner.user.id && disabled) {
          throw new ApiError('BAD_REQUEST', "You can't turn off your own account.");
        }
        await setDisabled(ctx.db, id, disabled ? ctx.now() : null);
        if (disabled) await deleteUserSessions(ctx.db, id);
      }
      const summary = (await listUsers(ctx.db)).find((user) => user.id === id);
      if (summary === undefined) throw new ApiError('NOT_FOUND', 'There is no such account.');
      return summary;
    },
  );

  app.post<{ Params: { id: string }; Body: ResetPasswordRequest }>(
    '/api/users/:id/password',
    {
      schema: {
        summary: 'Set a new password for an account, signing it out everywhere (owner only)',
        tags: ['accounts'],
        params: idParamsSchema,
        querystring: noQuerySchema,
        body: { type: 'object', required: ['password'], properties: { password: passwordSchema } },
        response: { 204: emptyResponse('The password is set; the account is signed out everywhere.') },
      },
    },
    async (request, reply) => {
      requireOwner(request);
      const { id } = request.params;
      if ((await findUserById(ctx.db, id)) === undefined)
        throw new ApiError('NOT_FOUND', 'There is no such account.');
      await setPassword(ctx.db, id, request.body.password);
      // Whoever is signed in with the old password is signed out.
      await deleteUserSessions(ctx.db, id);
      return reply.code(204).send();
    },
  );
}
