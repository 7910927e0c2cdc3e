import type { FastifySchemaValidationError } from 'fastify';
import { ERRORS, errorBody, type ApiErrorBody, type ErrorCode } from '../shared/errors';

/**
 * When to ask again after refusals that pass by themselves, unless the thrower knows better: a full
 * disk is freed by a person (15 minutes), unfinished uploads finish within a minute or so.
 */
const DEFAULT_RETRY_AFTER_S: Partial<Record<ErrorCode, number>> = {
  STORAGE_FULL: 15 * 60,
  TOO_MANY_UPLOADS: 60,
};

/**
 * The one error type routes and hooks throw. Its HTTP status comes from the catalogue in
 * src/shared/errors.ts and nowhere else.
 */
export class ApiError extends Error {
  override name = 'ApiError';

  /** Sent as Retry-After, for refusals that pass (429, 507). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].message,
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_S[code];
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  get body(): ApiErrorBody {
    return errorBody(this.code, this.message);
  }
}

interface FrameworkError {
  statusCode?: unknown;
  code?: unknown;
  validation?: FastifySchemaValidationError[];
  validationContext?: string;
}

const asFrameworkError = (error: unknown): FrameworkError =>
  typeof error === 'object' && error !== null ? error : {};

/**
 * Whether an error says the disk (or the user's disk quota) is full: ENOSPC and EDQUOT from the
 * filesystem, SQLITE_FULL from better-sqlite3, 53100 (disk_full) from PostgreSQL.
 */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === '53100';
}

/**
 * Maps anything thrown inside a request to the `ApiError` that is sent. Only an `ApiError` or a
 * client error that fastify raised (validation, unparsable body) keeps its detail; everything
 * else becomes INTERNAL, whose message never carries the cause.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  // The disk is full: a 507 the app retries later, not a 500 (issue 18, finding 11). Reads go on.
  if (isStorageFull(error)) return new ApiError('STORAGE_FULL');
  const { statusCode, code, validation, validationContext } = asFrameworkError(error);
  if (validation !== undefined && validation.length > 0) {
    return new ApiError('BAD_REQUEST', validationSentence(validation, validationContext));
  }
  if (typeof statusCode !== 'number' || statusCode >= 500 || statusCode < 400)
    return new ApiError('INTERNAL');
  switch (code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('BAD_REQUEST', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('BAD_REQUEST', 'Send the request body as JSON (Content-Type: application/json).');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('TOO_LARGE', 'The request body is too large.');
    default:
      return new ApiError(statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST');
  }
}

function fieldName(instancePath: string, context: string | undefined): string {
  const segments = instancePath.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return context === 'querystring' ? 'The query' : 'The request body';
  const [first, ...rest] = segments;
  return `"${first ?? ''}${rest.map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`)).join('')}"`;
}

/** A sentence for the first schema violation: `"password" must be at least 8 characters long.` */
export function validationSentence(
  issues: readonly FastifySchemaValidationError[],
  context?: string,
): string {
  const issue = issues[0];
  if (issue === undefined) return ERRORS.BAD_REQUEST.message;
  const field = fieldName(issue.instancePath, context);
  const { params } = issue;
  switch (issue.keyword) {
    case 'required':
      return `"${String(params.missingProperty)}" is required.`;
    case 'minLength':
      return `${field} must be at least ${String(params.limit)} characters long.`;
    case 'maxLength':
      return `${field} must be at most ${String(params.limit)} characters long.`;
    case 'minItems':
      return `${field} must list at least ${String(params.limit)} items.`;
    case 'maxItems':
      return `${field} can list at most ${String(params.limit)} items.`;
    case 'minimum':
      return `${field} must be at least ${String(params.limit)}.`;
    case 'maximum':
      return `${field} must be at most ${String(params.limit)}.`;
    case 'type':
      return `${field} must be of type ${String(params.type)}.`;
    case 'enum':
      return `${field} must be one of: ${Array.isArray(params.allowedValues) ? params.allowedValues.join(', ') : ''}.`;
    case 'pattern':
    case 'format':
      return `${field} is not valid.`;
    default:
      return `${field} ${issue.message ?? 'is not valid'}.`;
  }
}
