/**
 * The background job queue, kept in the database so that it survives a restart and serves several
 * processes: a job is a row (`queued → running → done`, or `failed`). A process claims a due job
 * with one UPDATE (on PostgreSQL its row is picked `FOR UPDATE SKIP LOCKED`, so that claimers
 * never wait on each other; SQLite runs one writer at a time) and holds it under a lease
 * (`locked_until`) that it renews while the job runs: a job is taken back only once its lease has
 * run out, which happens when its process died, never while that process lives. A process that
 * stops hands its running jobs back at once. A job that throws is retried with growing delays a
 * bounded number of times, then stays `failed`: a broken file can never keep the server busy for
 * ever, and neither can one that takes its process down with it (each lost lease counts as a run).
 * New jobs wake the workers of every process: PostgreSQL's NOTIFY, sent in the transaction that
 * queues the job (jobs/wakeups.ts), or, on SQLite, a short poll.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { sql, type Kysely, type Selectable } from 'kysely';
import { dialectOf } from '../db';
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

/** Wake-ups sent by other processes when they queue a job (jobs/wakeups.ts). */
export interface JobWakeups {
  /** Calls `onWake` for each one until the returned function is called. */
  subscribe(onWake: () => void): Promise<() => Promise<void>>;
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
  /** Longest sleep while nothing is due: how late a job queued elsewhere may be seen without a wake-up. */
  pollMs?: number;
  /** How long a claim holds unless renewed (default 60 s); renewed every quarter of it. */
  leaseMs?: number;
  /** Wake-ups from other processes; without them, only `pollMs` sees their jobs. */
  wakeups?: JobWakeups;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_LEASE_MS = 60_000;

/** 30 s, 2 min, 8 min, 32 min, then at most an hour. */
export const defaultBackoffMs = (attempts: number): number =>
  Math.min(30_000 * 4 ** Math.max(0, attempts - 1), 60 * 60_000);

/** A pause after the queue itself failed (the database was busy or gone), not a job. */
const ERROR_PAUSE_MS = 1_000;
const LAST_ERROR_MAX = 1_000;

/** The PostgreSQL channel a new job is announced on (jobs/wakeups.ts listens). */
export const JOBS_CHANNEL = 'shoebox_jobs';

export interface NewJob {
  kind: string;
  assetId?: string | null;
  runAfter?: Date;
  /** At most one queued job holds a key: queueing another with it does nothing. */
  uniqueKey?: string;
}

/**
 * Adds a job, or finds the queued one that holds its `uniqueKey` (then null). Takes the caller's
 * database or transaction, so that a job is committed together with the row it works on; on
 * PostgreSQL the wake-up goes out with that commit. Call `JobQueue.wake()` after the commit for
 * this process's own workers.
 */
export async function enqueueJob(db: Kysely<Database>, job: NewJob, now: Date): Promise<string | null> {
  const id = randomUUID();
  const at = now.toISOString();
  const result = await db
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
      unique_key: job.uniqueKey ?? null,
    })
    .onConflict((conflict) => conflict.column('unique_key').doNothing())
    .executeTakeFirst();
  if (result.numInsertedOrUpdatedRows === 0n) return null;
  // NOTIFY is transactional: listeners hear it once the job is committed, and never if it is not.
  if (dialectOf(db) === 'postgres') await sql`select pg_notify(${JOBS_CHANNEL}, ${job.kind})`.execute(db);
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

/** Why a running job was aborted: this process stops (the job is handed back), or its lease was lost. */
class LeaseLost extends Error {
  override name = 'LeaseLost';
}

type QueueState = 'new' | 'running' | 'stopping' | 'stopped';

/** A job this process runs, and how to abort it. */
interface Running {
  job: JobRow;
  controller: AbortController;
}

/**
 * Works the queue in this process: `register` handlers, `start`, and `stop` before the database
 * closes. Several processes may work one database at once.
 */
export class JobQueue {
  readonly #db: Kysely<Database>;
  readonly #now: () => Date;
  readonly #log: JobLogger;
  readonly #concurrency: number;
  readonly #maxAttempts: number;
  readonly #backoffMs: (attempts: number) => number;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #wakeups: JobWakeups | undefined;
  /** Names this process in `locked_by`: its host, its pid, and a random part for restarts. */
  readonly #workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #handlers = new Map<string, JobHandler>();
  /** Kinds that reschedule themselves, with their period. */
  readonly #recurring = new Map<string, number>();
  readonly #running = new Map<string, Running>();
  #state: QueueState = 'new';
  #loops: Promise<void>[] = [];
  /** Loops claiming or running a job right now. */
  #busy = 0;
  #wakeup = deferred();
  #idleWaiters: (() => void)[] = [];
  #renewTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: JobQueueOptions) {
    this.#db = options.db;
    this.#now = options.now;
    this.#log = options.log;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.#backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.#pollMs = options.pollMs ?? 30_000;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#wakeups = options.wakeups;
  }

  /** What this process writes into `locked_by` of the jobs it runs. */
  get workerId(): string {
    return this.#workerId;
  }

  /** Handles jobs of `kind`; with `everyMs`, one such job is always queued, that often. */
  register(kind: string, handler: JobHandler, options: { everyMs?: number } = {}): void {
    if (this.#state !== 'new') throw new Error('Register job handlers before starting the queue.');
    this.#handlers.set(kind, handler);
    if (options.everyMs !== undefined) this.#recurring.set(kind, options.everyMs);
  }

  /**
   * Starts working: takes back the jobs whose process died (their lease ran out), schedules the
   * recurring kinds, and listens for jobs queued by other processes.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('The job queue has already been started.');
    await this.#reclaimExpired();
    for (const kind of this.#recurring.keys()) await this.#ensureScheduled(kind, this.#now());
    this.#unsubscribe = await this.#wakeups?.subscribe(() => this.wake());
    this.#state = 'running';
    this.#renewTimer = setInterval(() => void this.#renewLeases(), Math.max(10, this.#leaseMs / 4));
    // A forgotten stop() must not keep the process alive.
    this.#renewTimer.unref();
    for (let i = 0; i < this.#concurrency; i += 1) this.#loops.push(this.#loop());
  }

  /** Looks for due work now (a job was just committed, or the clock moved). */
  wake(): void {
    const current = this.#wakeup;
    this.#wakeup = deferred();
    current.resolve();
  }

  /**
   * Resolves once no job is due and none is running in this process (jobs scheduled for later do
   * not count). For tests and shutdown scripts; rejects when the queue is not running.
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

  /**
   * Stops working: aborts the running jobs and hands them back (queued again, the attempt not
   * counted, no lease), so that another process takes them at once; then ends the loops.
   */
  async stop(): Promise<void> {
    if (this.#state === 'new' || this.#state === 'stopped') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    for (const { controller } of this.#running.values()) {
      controller.abort(new Error('The server is stopping.'));
    }
    this.wake();
    await Promise.all(this.#loops);
    this.#loops = [];
    clearInterval(this.#renewTimer);
    await this.#unsubscribe?.().catch((error: unknown) => {
      this.#log.warn({ err: error }, 'could not stop listening for jobs');
    });
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
        // stop() came while this claim was on its way: hand the job back.
        const claimed = job;
        await this.#handBack(claimed).catch((error: unknown) => {
          this.#log.error(
            { err: error, jobId: claimed.id },
            'could not hand back a job claimed while stopping',
          );
        });
        this.#busy -= 1;
        return;
      }
      if (job === undefined) {
        // Nothing due: any job whose process died is due again, and is claimed right away.
        let reclaimed = 0;
        try {
          reclaimed = await this.#reclaimExpired();
        } catch (error) {
          // The database refuses writes (a full disk): the lease that ran out is due at once, so
          // without a pause this would try again every few milliseconds until there is room.
          this.#busy -= 1;
          this.#log.error({ err: error }, 'could not take back jobs whose lease ran out');
          await this.#sleep(woken, ERROR_PAUSE_MS);
          continue;
        }
        this.#busy -= 1;
        if (reclaimed > 0) continue;
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

  #leaseFrom(now: Date): string {
    return new Date(now.getTime() + this.#leaseMs).toISOString();
  }

  /** The due job that has waited longest, now running under this process's lease, if any. */
  async #claim(): Promise<JobRow | undefined> {
    const now = this.#now();
    const at = now.toISOString();
    const postgres = dialectOf(this.#db) === 'postgres';
    return (
      this.#db
        .updateTable('jobs')
        .set((eb) => ({
          state: 'running',
          attempts: eb('attempts', '+', 1),
          locked_until: this.#leaseFrom(now),
          locked_by: this.#workerId,
          // Running, it no longer holds its key: the next one may be queued.
          unique_key: null,
          updated_at: at,
        }))
        .where('id', '=', (eb) => {
          const oldest = eb
            .selectFrom('jobs')
            .select('id')
            .where('state', '=', 'queued')
            .where('run_after', '<=', at)
            .orderBy('run_after')
            .orderBy('created_at')
            .orderBy('id')
            .limit(1);
          // Another process's claim holds its row locked until it commits: skip to the next
          // job instead of waiting for it and then finding it taken.
          return postgres ? oldest.forUpdate().skipLocked() : oldest;
        })
        // SQLite's subquery and UPDATE are one atomic statement; this guard is for clarity there.
        .where('state', '=', 'queued')
        .returningAll()
        .executeTakeFirst()
    );
  }

  /** Renews the leases of the jobs this process runs; aborts any it turns out to have lost. */
  async #renewLeases(): Promise<void> {
    const ids = [...this.#running.keys()];
    if (ids.length === 0) return;
    let kept: Set<string>;
    try {
      const rows = await this.#db
        .updateTable('jobs')
        .set({ locked_until: this.#leaseFrom(this.#now()) })
        .where('id', 'in', ids)
        .where('state', '=', 'running')
        .where('locked_by', '=', this.#workerId)
        .returning('id')
        .execute();
      kept = new Set(rows.map((row) => row.id));
    } catch (error) {
      // The database is away: the jobs go on, and the next renewal tries again.
      this.#log.warn({ err: error }, 'could not renew the leases of running jobs');
      return;
    }
    for (const [id, running] of this.#running) {
      if (!kept.has(id) && ids.includes(id)) {
        this.#log.error(
          { jobId: id, kind: running.job.kind },
          'a running job’s lease was lost (another process took it); stopping it here',
        );
        running.controller.abort(new LeaseLost('The job’s lease was lost.'));
      }
    }
  }

  /** Whether a job is due, or a lease has run out (its job is due again). */
  async #hasDueJob(): Promise<boolean> {
    const at = this.#now().toISOString();
    const row = await this.#db
      .selectFrom('jobs')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('run_after', '<=', at)]),
          eb.and([
            eb('state', '=', 'running'),
            eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at)]),
          ]),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Until the next queued job is due or the next lease runs out, within `pollMs`. */
  async #nextDelay(): Promise<number> {
    const row = await this.#db
      .selectFrom('jobs')
      .select((eb) => [
        eb.fn.min('run_after').filterWhere('state', '=', 'queued').as('due'),
        eb.fn.min('locked_until').filterWhere('state', '=', 'running').as('expires'),
      ])
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    const now = this.#now().getTime();
    let delay = this.#pollMs;
    for (const next of [row?.due, row?.expires]) {
      if (typeof next === 'string') delay = Math.min(delay, Math.max(10, Date.parse(next) - now));
    }
    return delay;
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
    this.#running.set(job.id, { job, controller });
    try {
      await handler.run(job, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) {
        if (controller.signal.reason instanceof LeaseLost) return;
        await this.#handBack(job);
        return;
      }
      await this.#failed(job, handler, error);
      return;
    } finally {
      this.#running.delete(job.id);
    }
    if (controller.signal.reason instanceof LeaseLost) return;
    await this.#finish(job, 'done', null);
  }

  /** Updates a job this process runs, as long as it still holds its lease; false if it does not. */
  async #updateOwn(
    job: JobRow,
    values: {
      state: 'queued' | 'done' | 'failed';
      run_after?: string;
      last_error?: string | null;
      attempts?: number;
    },
  ): Promise<boolean> {
    const result = await this.#db
      .updateTable('jobs')
      .set({ ...values, locked_until: null, locked_by: null, updated_at: this.#now().toISOString() })
      .where('id', '=', job.id)
      .where('state', '=', 'running')
      .where('locked_by', '=', this.#workerId)
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) return true;
    this.#log.warn(
      { jobId: job.id, kind: job.kind },
      'a job’s outcome was not recorded: its lease had run out and another process took it',
    );
    return false;
  }

  async #failed(job: JobRow, handler: JobHandler, error: unknown): Promise<void> {
    const message = messageOf(error);
    if (job.attempts < this.#maxAttempts) {
      const delay = this.#backoffMs(job.attempts);
      this.#log.warn(
        { err: error, jobId: job.id, kind: job.kind, attempts: job.attempts, retryInMs: delay },
        'job failed; it will be retried',
      );
      await this.#updateOwn(job, {
        state: 'queued',
        run_after: new Date(this.#now().getTime() + delay).toISOString(),
        last_error: message,
      });
      return;
    }
    this.#log.error(
      { err: error, jobId: job.id, kind: job.kind, attempts: job.attempts },
      'job failed for the last time',
    );
    if (await this.#finish(job, 'failed', message)) await this.#giveUp(job, handler, error);
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

  async #finish(job: JobRow, state: 'done' | 'failed', lastError: string | null): Promise<boolean> {
    if (!(await this.#updateOwn(job, { state, last_error: lastError }))) return false;
    const everyMs = this.#recurring.get(job.kind);
    if (everyMs !== undefined) {
      await this.#ensureScheduled(job.kind, new Date(this.#now().getTime() + everyMs));
    }
    return true;
  }

  /** Back to the queue, as if never claimed: the attempt does not count. */
  async #handBack(job: JobRow): Promise<void> {
    await this.#updateOwn(job, { state: 'queued', attempts: job.attempts - 1 });
  }

  /**
   * Takes back the jobs whose lease ran out (their process died, or stopped without handing them
   * back): queued again, the lost run counted, or failed when that was their last attempt, since
   * a job that takes its process down with it must not do so for ever. Each is taken by one
   * process only: the update repeats the condition it was found by.
   */
  async #reclaimExpired(): Promise<number> {
    const at = this.#now().toISOString();
    const expired = await this.#db
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'running')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at)]))
      .execute();
    let requeued = 0;
    for (const job of expired) {
      const last = job.attempts >= this.#maxAttempts;
      const error = new Error('The server stopped during each attempt.');
      const taken = await this.#db
        .updateTable('jobs')
        .set({
          state: last ? 'failed' : 'queued',
          last_error: last ? error.message : job.last_error,
          locked_until: null,
          locked_by: null,
          updated_at: at,
        })
        .where('id', '=', job.id)
        .where('state', '=', 'running')
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at)]))
        .executeTakeFirst();
      if (taken.numUpdatedRows === 0n) continue;
      if (!last) {
        this.#log.warn(
          { jobId: job.id, kind: job.kind, lockedBy: job.locked_by },
          'took back a job whose process stopped running it',
        );
        requeued += 1;
        continue;
      }
      this.#log.error({ jobId: job.id, kind: job.kind, attempts: job.attempts }, error.message);
      const handler = this.#handlers.get(job.kind);
      if (handler !== undefined) await this.#giveUp(job, handler, error);
      const everyMs = this.#recurring.get(job.kind);
      if (everyMs !== undefined) await this.#ensureScheduled(job.kind, new Date(Date.parse(at) + everyMs));
    }
    return requeued;
  }

  /** One queued job of a recurring kind at a time (its unique key). */
  async #ensureScheduled(kind: string, runAfter: Date): Promise<void> {
    await enqueueJob(this.#db, { kind, runAfter, uniqueKey: `every:${kind}` }, this.#now());
  }
}
