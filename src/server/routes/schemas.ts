import { PASSWORD_MIN_LENGTH } from '../../shared/api';

/** JSON schemas shared by the account routes. */
export const emailSchema = {
  type: 'string',
  minLength: 3,
  maxLength: 254,
  pattern: '^[^\\s@]+@[^\\s@]+$',
} as const;
export const nameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;
export const passwordSchema = { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: 1024 } as const;
export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/**
 * Requests per address to the routes anyone may call that hash a password (sign-in, setup): far
 * above what a person types, and a flood is refused before it reaches the database.
 */
export const SIGN_IN_RATE = { max: 30, timeWindow: 60_000 } as const;
