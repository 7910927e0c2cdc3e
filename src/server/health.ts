import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { HealthResponse } from '../shared/api';
import type { AppContext } from './context';

/** A check that takes longer than this counts as failed: a load balancer's probe must not hang. */
const CHECK_TIMEOUT_MS = 2_000;

/** A key no blob has (keys are owner/xx/sha256): asking for it reaches the store and finds nothing. */
const PROBE_KEY = 'health/probe';

async function passes(
  what: string,
  check: () => Promise<unknown>,
  log: FastifyBaseLogger,
): Promise<'ok' | 'unavailable'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('The check took too long.')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timedOut]);
    return 'ok';
  } catch (error) {
    log.warn({ err: error }, `health check: the ${what} is unavailable`);
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/** Whether this process can reach its database and its blob store (both at once). */
export async function checkHealth(ctx: AppContext, log: FastifyBaseLogger): Promise<HealthResponse> {
  const [database, store] = await Promise.all([
    passes('database', () => sql`select 1`.execute(ctx.db), log),
    passes('blob store', () => ctx.blobs.stat(PROBE_KEY), log),
  ]);
  return { ok: database === 'ok' && store === 'ok', role: ctx.config.role, database, store };
}
