import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { LogFormat, LogLevel } from './config';

/**
 * Where a secret could sit in a logged object. Nothing logs these today (requests are logged by
 * method, path and status only), and pino blanks them should anyone log a request's headers or a
 * body: session cookies, `Authorization: Bearer` tokens, passwords.
 */
const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  'headers["set-cookie"]',
  'password',
  'token',
  'body.password',
  'body.token',
  '*.password',
  '*.token',
];

/** Query parameters whose values are secrets wherever they appear (share keys, tokens). */
const SECRET_QUERY = /^(access_token|token|key|password|secret|signature|sig)$/i;

/** The path and query of a request as logged: the values of secret-looking parameters blanked. */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  for (const name of new Set(query.keys())) {
    if (SECRET_QUERY.test(name)) query.set(name, 'REDACTED');
  }
  return `${url.slice(0, at)}?${query.toString()}`;
}

/**
 * The logger: pino's JSON lines, or on a terminal one readable line per event through pino's own
 * pretty transport (pino-pretty, in a worker thread). `format` null: pretty when stdout is a
 * terminal.
 */
export function loggerOptions(
  level: LogLevel,
  format: LogFormat | null,
  isTerminal: boolean,
): NonNullable<Exclude<FastifyServerOptions['logger'], boolean>> {
  const base = { level, redact: { paths: SECRET_PATHS, censor: '[redacted]' } };
  if (level === 'silent' || (format ?? (isTerminal ? 'pretty' : 'json')) === 'json') return base;
  return {
    ...base,
    transport: {
      target: 'pino-pretty',
      options: {
        colorize: isTerminal,
        singleLine: true,
        translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
        // A request's line says its method, path, status and time in words already.
        ignore: 'pid,hostname,method,url,statusCode,responseTime',
      },
    },
  };
}

/**
 * One line per request, at debug, once it is answered: method, path, status and time (fastify's
 * own two lines per request at info would bury everything else). Headers and bodies are never
 * logged. A request that failed on the way is still logged as an error, as fastify does.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {
    // The completed line says everything; a request that never completes is a closed socket.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const url = loggableUrl(request.url);
    const ms = Math.round(reply.elapsedTime);
    const fields = { method: request.method, url, statusCode: reply.statusCode, responseTime: ms };
    if (error) {
      reply.log.error({ ...fields, err: error }, `${request.method} ${url} failed (${ms} ms)`);
    } else {
      reply.log.debug(fields, `${request.method} ${url} → ${reply.statusCode} (${ms} ms)`);
    }
  }
}
