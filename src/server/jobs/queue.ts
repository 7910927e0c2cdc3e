/**
 * The background job queue, kept in the database so that it survives a restart: a job is a row
 * (`queued → running → done`, or `failed`), claimed by a guarded UPDATE so that two workers never
 * run the same one. A job that throws is retried with growing delays a bounded number of times,
 * then stays `failed`: a broken file can never keep the server busy for ever.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, JobsTable } from '../db/schema';

export type JobRow = Selectable<JobsTable>;

export interface JobHandler {
  /** Does the work. Throwing schedules a retry; `signal` aborts when the server stops. */
  run(job: JobRow, signal: AbortSignal): Promise<void>;
  /** Called once, after the last attempt has failed: leave the subject in a state users understand. */
  giveUp?(job: JobRow, error: unknown): Promise<void>;
}

/** The logger calls the queue makes; fastify's logger fits. */
export interface JobLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface JobQueueOptions {
  db: Kysely<Database>;
  now: () => Date;
  log: JobLogger;
  /** Jobs run at the same time in this process (default 1: thumbnails are CPU-bound). */
  concurrency?: number;
  /** Runs of a job before it is left `failed` (default 5). */
  maxAttempts?: number;
  /** Delay before the run after `attempts` failed runs. */
  backoffMs?: (attempts: number) => number;
  /** Longest sleep while nothing is due: how late a job queued by another process may be seen. */
  pollMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/** 30 s, 2 min, 8 min, 32 min, then at most an hour. */
export const defaultBackoffMs = (attempts: number): number =>
  Math.min(30_000 * 4 ** Math.max(0, attempts - 1), 60 * 60_000);

/** A pause after the queue itself failed (the database was busy or gone), not a job. */
const ERROR_PAUSE_MS = 1_000;
const LAST_ERROR_MAX = 1_000;

export interface NewJob {
  kind: string;
  assetId?: string | null;
  runAfter?: Date;
}

/**
 * Adds a job. Takes the caller's database or transaction, so that a job is committed together
 * with the row it works on; call `JobQueue.wake()` after the commit.
 */
export async function enqueueJob(db: Kysely<Database>, job: NewJob, now: Date): Promise<string> {
  const id = randomUUID();
  const at = now.toISOString();
  await db
    .insertInto('jobs')
    .values({
      id,
      kind: job.kind,
      asset_id: job.assetId ?? null,
      state: 'queued',
      attempts: 0,
      run_after: (job.runAfter ?? now).toISOString(),
      last_error: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

export const PRUNE_JOBS_JOB = 'prune-jobs';
export const PRUNE_JOBS_EVERY_MS = 24 * 60 * 60 * 1000;
/** How long a finished job is kept (for looking into what happened) before pruning deletes it. */
const DONE_JOBS_KEPT_MS = 7 * 24 * 60 * 60 * 1000;

/** The periodic job that deletes done jobs older than a week; failed ones stay for inspection. */
export function pruneJobsJob(db: Kysely<Database>, now: () => Date): JobHandler {
  return {
    async run() {
      await db
        .deleteFrom('jobs')
        .where('state', '=', 'done')
        .where('updated_at', '<', new Date(now().getTime() - DONE_JOBS_KEPT_MS).toISOString())
        .execute();
    },
  };
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).slice(0, LAST_ERROR_MAX);

type QueueState = 'new' | 'running' | 'stopping' | 'stopped';

/** Works the queue in this process: `register` handlers, `start`, and `stop` before the database closes. */
export class JobQueue {
  readonly #db: Kysely<Database>;
  readonly #now: () => Date;
  readonly #log: JobLogger;
  readonly #concurrency: number;
  readonly #maxAttempts: number;
  readonly #backoffMs: (attempts: number) => number;
  readonly #pollMs: number;
  readonly #handlers = new Map<string, JobHandler>();
  /** Kinds that reschedule themselves, with their period. */
  readonly #recurring = new Map<string, number>();
  readonly #controllers = new Set<AbortController>();
  #state: QueueState = 'new';
  #loops: Promise<void>[] = [];
  /** Loops claiming or running a job right now. */
  #busy = 0;
  #wakeup = deferred();
  #idleWaiters: (() => void)[] = [];

  constructor(options: JobQueueOptions) {
    this.#db = options.db;
    this.#now = options.now;
    this.#log = options.log;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.#backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.#pollMs = options.pollMs ?? 30_000;
  }

  /** Handles jobs of `kind`; with `everyMs`, one such job is always scheduled, that often. */
  register(kind: string, handler: JobHandler, options: { everyMs?: number } = {}): void {
    if (this.#state !== 'new') throw new Error('Register job handlers before starting the queue.');
    this.#handlers.set(kind, handler);
    if (options.everyMs !== undefined) this.#recurring.set(kind, options.everyMs);
  }

  /**
   * Resumes after a restart and starts working. Jobs left `running` were interrupted (this is the
   * only process working this database): they are queued again, or failed when that was their
   * last attempt, since a job that takes the process down with it must not do so for ever.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('The job queue has already been started.');
    await this.#recoverInterrupted();
    for (const kind of this.#recurring.keys()) await this.#ensureScheduled(kind, this.#now());
    this.#state = 'running';
    for (let i = 0; i < this.#concurrency; i += 1) this.#loops.push(this.#loop());
  }

  /** Looks for due work now (a job was just committed, or the clock moved). */
  wake(): void {
    const current = this.#wakeup;
    this.#wakeup = deferred();
    current.resolve();
  }

  /**
   * Resolves once no job is due and none is running (jobs scheduled for later do not count).
   * For tests and shutdown scripts; rejects when the queue is not running.
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#state !== 'running') throw new Error('The job queue is not running.');
      await new Promise<void>((resolve) => {
        this.#idleWaiters.push(resolve);
        this.wake();
      });
      if (this.#state !== 'running') return;
      // A job committed while the loops were looking may have been missed by that look.
      if (this.#busy === 0 && !(await this.#hasDueJob())) return;
    }
  }

  /** Aborts the running jobs (they are queued again, attempt not counted) and ends the loops. */
  async stop(): Promise<void> {
    if (this.#state === 'new' || this.#state === 'stopped') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    for (const controller of this.#controllers) controller.abort(new Error('The server is stopping.'));
    this.wake();
    await Promise.all(this.#loops);
    this.#loops = [];
    this.#state = 'stopped';
    this.#settleIdle();
  }

  async #loop(): Promise<void> {
    while (this.#state === 'running') {
      // Taken before looking, so that a wake() during the look is not slept through.
      const woken = this.#wakeup.promise;
      this.#busy += 1;
      let job: JobRow | undefined;
      try {
        job = await this.#claim();
      } catch (error) {
        this.#busy -= 1;
        this.#log.error({ err: error }, 'could not claim a job');
        await this.#sleep(woken, ERROR_PAUSE_MS);
        continue;
      }
      if (job !== undefined && this.#state !== 'running') {
        // stop() came while this claim was on its way: leave the job for the next start.
        const claimed = job;
        await this.#requeueInterrupted(claimed).catch((error: unknown) => {
          this.#log.error(
            { err: error, jobId: claimed.id },
            'could not put back a job claimed while stopping',
          );
        });
        this.#busy -= 1;
        return;
      }
      if (job === undefined) {
        this.#busy -= 1;
        if (this.#busy === 0) this.#settleIdle();
        let delay = this.#pollMs;
        try {
          delay = await this.#nextDelay();
        } catch (error) {
          this.#log.error({ err: error }, 'could not read the job schedule');
        }
        await this.#sleep(woken, delay);
        continue;
      }
      try {
        await this.#run(job);
      } catch (error) {
        // The job's own failure is recorded by #run; this is the queue failing to record it.
        this.#log.error({ err: error, jobId: job.id, kind: job.kind }, 'could not record a job’s outcome');
      } finally {
        this.#busy -= 1;
      }
    }
  }

  async #sleep(woken: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      // A forgotten stop() must not keep the process alive.
      timer.unref();
    });
    await Promise.race([woken, elapsed]);
    clearTimeout(timer);
  }

  #settleIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async #claim(): Promise<JobRow | undefined> {
    const now = this.#now().toISOString();
    // The state guard makes the claim safe against another worker taking the same row first:
    // that one's UPDATE wins, this one changes nothing and looks again.
    return this.#db
      .updateTable('jobs')
      .set((eb) => ({ state: 'running', attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', (eb) =>
        eb
          .selectFrom('jobs')
          .select('id')
          .where('state', '=', 'queued')
          .where('run_after', '<=', now)
          .orderBy('run_after')
          .orderBy('created_at')
          .limit(1),
      )
      .where('state', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
  }

  async #hasDueJob(): Promise<boolean> {
    const row = await this.#db
      .selectFrom('jobs')
      .select('id')
      .where('state', '=', 'queued')
      .where('run_after', '<=', this.#now().toISOString())
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async #nextDelay(): Promise<number> {
    const row = await this.#db
      .selectFrom('jobs')
      .select((eb) => eb.fn.min('run_after').as('next'))
      .where('state', '=', 'queued')
      .executeTakeFirst();
    const next = row?.next;
    if (typeof next !== 'string') return this.#pollMs;
    const delay = Date.parse(next) - this.#now().getTime();
    return Math.min(this.#pollMs, Math.max(10, delay));
  }

  async #run(job: JobRow): Promise<void> {
    const handler = this.#handlers.get(job.kind);
    if (handler === undefined) {
      // A kind this version does not know (written by a newer one?): never retried here.
      this.#log.error({ jobId: job.id, kind: job.kind }, 'no handler for this kind of job');
      await this.#finish(job, 'failed', `No handler for jobs of kind "${job.kind}".`);
      return;
    }
    const controller = new AbortController();
    this.#controllers.add(controller);
    try {
      await handler.run(job, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) {
        await this.#requeueInterrupted(job);
        return;
      }
      await this.#failed(job, handler, error);
      return;
    } finally {
      this.#controllers.delete(controller);
    }
    await this.#finish(job, 'done', null);
  }

  async #failed(job: JobRow, handler: JobHandler, error: unknown): Promise<void> {
    const message = messageOf(error);
    if (job.attempts < this.#maxAttempts) {
      const delay = this.#backoffMs(job.attempts);
      this.#log.warn(
        { err: error, jobId: job.id, kind: job.kind, attempts: job.attempts, retryInMs: delay },
        'job failed; it will be retried',
      );
      const now = this.#now();
      await this.#db
        .updateTable('jobs')
        .set({
          state: 'queued',
          run_after: new Date(now.getTime() + delay).toISOString(),
          last_error: message,
          updated_at: now.toISOString(),
        })
        .where('id', '=', job.id)
        .where('state', '=', 'running')
        .execute();
      return;
    }
    this.#log.error(
      { err: error, jobId: job.id, kind: job.kind, attempts: job.attempts },
      'job failed for the last time',
    );
    await this.#finish(job, 'failed', message);
    await this.#giveUp(job, handler, error);
  }

  async #giveUp(job: JobRow, handler: JobHandler, error: unknown): Promise<void> {
    try {
      await handler.giveUp?.(job, error);
    } catch (giveUpError) {
      this.#log.error(
        { err: giveUpError, jobId: job.id, kind: job.kind },
        'could not give up on a job cleanly',
      );
    }
  }

  async #finish(job: JobRow, state: 'done' | 'failed', lastError: string | null): Promise<void> {
    const now = this.#now();
    await this.#db
      .updateTable('jobs')
      .set({ state, last_error: lastError, updated_at: now.toISOString() })
      .where('id', '=', job.id)
      .where('state', '=', 'running')
      .execute();
    const everyMs = this.#recurring.get(job.kind);
    if (everyMs !== undefined) await this.#ensureScheduled(job.kind, new Date(now.getTime() + everyMs));
  }

  async #requeueInterrupted(job: JobRow): Promise<void> {
    await this.#db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'queued',
        attempts: eb('attempts', '-', 1),
        updated_at: this.#now().toISOString(),
      }))
      .where('id', '=', job.id)
      .where('state', '=', 'running')
      .execute();
  }

  async #recoverInterrupted(): Promise<void> {
    const interrupted = await this.#db
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'running')
      .execute();
    for (const job of interrupted) {
      if (job.attempts < this.#maxAttempts) {
        await this.#db
          .updateTable('jobs')
          .set({ state: 'queued', updated_at: this.#now().toISOString() })
          .where('id', '=', job.id)
          .where('state', '=', 'running')
          .execute();
        continue;
      }
      const error = new Error('The server stopped during each attempt.');
      this.#log.error({ jobId: job.id, kind: job.kind, attempts: job.attempts }, error.message);
      await this.#finish(job, 'failed', error.message);
      const handler = this.#handlers.get(job.kind);
      if (handler !== undefined) await this.#giveUp(job, handler, error);
    }
    if (interrupted.length > 0) {
      this.#log.info({ count: interrupted.length }, 'resumed jobs interrupted by a restart');
    }
  }

  /** One queued or running job of a recurring kind at a time. */
  async #ensureScheduled(kind: string, runAfter: Date): Promise<void> {
    const pending = await this.#db
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', kind)
      .where('state', 'in', ['queued', 'running'])
      .limit(1)
      .executeTakeFirst();
    if (pending === undefined) await enqueueJob(this.#db, { kind, runAfter }, this.#now());
  }
}
