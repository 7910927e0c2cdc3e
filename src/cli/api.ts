/**
 * The JSON API as the CLI uses it (fetch, Node's own): each call answers its type or throws. A
 * refused token is a CliError that ends the run (exit 3) with what to do; no answer at all is one
 * too (exit 1); any other refusal is an HttpError for the caller to judge.
 */
import { version } from '../../package.json';
import type { CheckResponse, ConfigResponse, CreatedToken, TokenScope, User } from '../shared/api';
import { isApiErrorBody } from '../shared/errors';
import { CliError } from './errors';

export const USER_AGENT = `shoebox-cli/${version}`;

/** The server answered, and not with what was asked for. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** The catalogue code (src/shared/errors.ts), when the server named one. */
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A sentence for a failed connection: what Node's fetch puts in `cause.code`, said plainly. */
export function connectionProblem(origin: string, error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : null;
  const why: Record<string, string> = {
    ECONNREFUSED: 'nothing answers at that address',
    ENOTFOUND: 'that name is not known',
    EAI_AGAIN: 'that name could not be looked up',
    ECONNRESET: 'the connection was cut',
    ETIMEDOUT: 'it did not answer in time',
    UND_ERR_CONNECT_TIMEOUT: 'it did not answer in time',
    CERT_HAS_EXPIRED: 'its certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed and not trusted here',
    SELF_SIGNED_CERT_IN_CHAIN: 'its certificate is not trusted here',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not trusted here',
    ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another name',
  };
  const reason = (code === null ? undefined : why[code]) ?? code ?? 'no answer';
  return `Shoebox can't reach ${origin} (${reason}).`;
}

export type ApiAuth = { token: string } | { cookie: string } | null;

export class ServerApi {
  constructor(
    readonly origin: string,
    private readonly auth: ApiAuth,
    /** What to tell the user when the server refuses the token. */
    readonly signInHint = `Sign in again with \`shoebox login ${origin}\`.`,
  ) {}

  /** The Authorization header tus requests carry too. */
  get headers(): Record<string, string> {
    const auth = this.auth;
    if (auth === null) return { 'user-agent': USER_AGENT };
    return 'token' in auth
      ? { 'user-agent': USER_AGENT, authorization: `Bearer ${auth.token}` }
      : { 'user-agent': USER_AGENT, cookie: auth.cookie };
  }

  async request(
    method: string,
    path: string,
    options: { body?: unknown; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const headers = this.headers;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.origin}${path}`, {
        method,
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: options.signal ?? null,
      });
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      throw new CliError('failed', connectionProblem(this.origin, error));
    }
    if (response.ok) return response;
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: a proxy's error page, say. The status speaks for it below.
    }
    const code = isApiErrorBody(body) ? body.error.code : null;
    const message = isApiErrorBody(body) ? body.error.message : `The server answered ${response.status}.`;
    if (this.auth !== null && 'token' in this.auth) {
      if (response.status === 401) {
        throw new CliError(
          'auth',
          `${this.origin} no longer accepts this token: it was revoked or has expired. ${this.signInHint}`,
        );
      }
      if (code === 'TOKEN_SCOPE') {
        throw new CliError(
          'auth',
          `This token is not allowed to do that (${method} ${path}). ${this.signInHint}`,
        );
      }
    }
    throw new HttpError(response.status, code, message);
  }

  async json<T>(
    method: string,
    path: string,
    options: { body?: unknown; signal?: AbortSignal } = {},
  ): Promise<T> {
    const response = await this.request(method, path, options);
    return (await response.json()) as T;
  }

  config(): Promise<ConfigResponse> {
    return this.json<ConfigResponse>('GET', '/api/config');
  }

  me(): Promise<User> {
    return this.json<User>('GET', '/api/me');
  }

  check(sourceSha256: string[], signal?: AbortSignal): Promise<CheckResponse> {
    return this.json<CheckResponse>('POST', '/api/assets/check', {
      body: { sourceSha256 },
      ...(signal === undefined ? {} : { signal }),
    });
  }

  createToken(name: string, scope: TokenScope): Promise<CreatedToken> {
    return this.json<CreatedToken>('POST', '/api/tokens', { body: { name, scope } });
  }
}
