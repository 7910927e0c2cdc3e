import { writeFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type DatabaseHandle, type Db } from '../db';
import { openTestDatabase, testDialects, type TestDatabase } from '../db/testing';
import { enqueueJob, JobQueue, type JobHandler, type JobQueueOptions, type JobRow } from './queue';
import { postgresWakeups } from './wakeups';

const HOUR_MS = 60 * 60 * 1000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.each(testDialects())('JobQueue on %s', (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let clock: Date;
  const queues: JobQueue[] = [];
  const handles: DatabaseHandle[] = [];

  const now = (): Date => clock;
  const advance = (ms: number): void => {
    clock = new Date(clock.getTime() + ms);
  };
  const makeQueue = (options: Partial<JobQueueOptions> = {}): JobQueue => {
    const queue = new JobQueue({ db, now, log: silent, ...options });
    queues.push(queue);
    return queue;
  };
  const jobs = (): Promise<JobRow[]> => db.selectFrom('jobs').selectAll().orderBy('created_at').execute();
  const recording = (runs: string[], work: (job: JobRow) => Promise<void> = () => Promise.resolve()) =>
    ({
      run: async (job) => {
        runs.push(job.id);
        await work(job);
      },
    }) satisfies JobHandler;

  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    db = database.handle.db;
    clock = new Date('2030-01-01T00:00:00.000Z');
  });
  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.stop();
    for (const handle of handles.splice(0)) await handle.db.destroy();
    await database.close();
  });

  /** The same database through connections of its own, as another server process has. */
  const anotherProcess = async (): Promise<DatabaseHandle> => {
    const handle = await openDatabase(database.location);
    handles.push(handle);
    return handle;
  };
  /** A job the test controls: it starts, then ends when told (or when aborted). */
  const held = () => {
    let started: () => void = () => undefined;
    let finish: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const signals: AbortSignal[] = [];
    const handler: JobHandler = {
      run: (_job, signal) => {
        signals.push(signal);
        started();
        return new Promise<void>((resolve, reject) => {
          void finished.then(resolve);
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        });
      },
    };
    return { handler, running, finish, signals };
  };

  it('runs what is due, marks it done, and is idle after', async () => {
    const runs: string[] = [];
    const queue = makeQueue();
    queue.register('test', recording(runs));
    const first = await enqueueJob(db, { kind: 'test' }, now());
    const later = await enqueueJob(
      db,
      { kind: 'test', runAfter: new Date(clock.getTime() + HOUR_MS) },
      now(),
    );
    await queue.start();
    await queue.idle();
    expect(runs).toEqual([first]);

    const second = await enqueueJob(db, { kind: 'test' }, now());
    queue.wake();
    await queue.idle();
    expect(runs).toEqual([first, second]);

    advance(HOUR_MS);
    await queue.idle();
    expect(runs).toEqual([first, second, later]);
    expect((await jobs()).map((job) => [job.state, job.attempts])).toEqual([
      ['done', 1],
      ['done', 1],
      ['done', 1],
    ]);
  });

  it('retries a failing job later and later, a bounded number of times, then gives up once', async () => {
    let runs = 0;
    const givenUp: string[] = [];
    const queue = makeQueue({ maxAttempts: 3, backoffMs: (attempts) => attempts * HOUR_MS });
    queue.register('flaky', {
      run: () => {
        runs += 1;
        return Promise.reject(new Error(`attempt ${runs} failed`));
      },
      giveUp: (job) => {
        givenUp.push(job.id);
        return Promise.resolve();
      },
    });
    const id = await enqueueJob(db, { kind: 'flaky' }, now());
    await queue.start();
    await queue.idle();
    expect(runs).toBe(1);
    expect(await jobs()).toMatchObject([
      { state: 'queued', attempts: 1, last_error: 'attempt 1 failed', run_after: '2030-01-01T01:00:00.000Z' },
    ]);

    advance(HOUR_MS - 1);
    await queue.idle();
    expect(runs).toBe(1);
    advance(1);
    await queue.idle();
    expect(runs).toBe(2);
    expect((await jobs())[0]?.run_after).toBe('2030-01-01T03:00:00.000Z');

    for (let i = 0; i < 10; i += 1) {
      advance(24 * HOUR_MS);
      await queue.idle();
    }
    expect(runs).toBe(3);
    expect(givenUp).toEqual([id]);
    expect(await jobs()).toMatchObject([{ state: 'failed', attempts: 3, last_error: 'attempt 3 failed' }]);
  });

  it('resumes after a restart: queued jobs run, interrupted ones run again', async () => {
    const first = makeQueue();
    first.register('test', recording([]));
    const queued = await enqueueJob(db, { kind: 'test' }, now());
    const interrupted = await enqueueJob(db, { kind: 'test' }, now());
    // As a crash leaves it: claimed, never finished.
    await db
      .updateTable('jobs')
      .set({ state: 'running', attempts: 1 })
      .where('id', '=', interrupted)
      .execute();
    await first.stop();

    const runs: string[] = [];
    const second = makeQueue();
    second.register('test', recording(runs));
    await second.start();
    await second.idle();
    expect(runs.sort()).toEqual([queued, interrupted].sort());
    const rows = await jobs();
    expect(rows.find((job) => job.id === interrupted)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('fails a job that was interrupted on its last attempt instead of running it again', async () => {
    const runs: string[] = [];
    const givenUp: string[] = [];
    const queue = makeQueue({ maxAttempts: 2 });
    queue.register('test', {
      ...recording(runs),
      giveUp: (job) => {
        givenUp.push(job.id);
        return Promise.resolve();
      },
    });
    const id = await enqueueJob(db, { kind: 'test' }, now());
    await db.updateTable('jobs').set({ state: 'running', attempts: 2 }).where('id', '=', id).execute();
    await queue.start();
    await queue.idle();
    expect(runs).toEqual([]);
    expect(givenUp).toEqual([id]);
    expect(await jobs()).toMatchObject([{ state: 'failed', attempts: 2 }]);
  });

  it('aborts a running job on stop and leaves it queued, the attempt not counted', async () => {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const queue = makeQueue();
    queue.register('slow', {
      run: (_job, signal) =>
        new Promise<void>((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        }),
    });
    await enqueueJob(db, { kind: 'slow' }, now());
    await queue.start();
    await running;
    await queue.stop();
    expect(await jobs()).toMatchObject([{ state: 'queued', attempts: 0 }]);
  });

  it('keeps one job of a recurring kind scheduled', async () => {
    const runs: string[] = [];
    const queue = makeQueue();
    queue.register('sweep', recording(runs), { everyMs: 6 * HOUR_MS });
    await queue.start();
    await queue.idle();
    expect(runs).toHaveLength(1);
    const scheduled = (await jobs()).filter((job) => job.state === 'queued');
    expect(scheduled).toMatchObject([{ kind: 'sweep', run_after: '2030-01-01T06:00:00.000Z' }]);

    advance(6 * HOUR_MS);
    await queue.idle();
    expect(runs).toHaveLength(2);
    expect((await jobs()).filter((job) => job.state === 'queued')).toHaveLength(1);
  });

  it('fails a job of a kind it does not know, without retrying it', async () => {
    const queue = makeQueue();
    await enqueueJob(db, { kind: 'from-the-future' }, now());
    await queue.start();
    await queue.idle();
    expect(await jobs()).toMatchObject([
      { state: 'failed', attempts: 1, last_error: 'No handler for jobs of kind "from-the-future".' },
    ]);
  });

  it('runs as many jobs at once as its concurrency', async () => {
    let active = 0;
    let most = 0;
    const queue = makeQueue({ concurrency: 2 });
    queue.register('test', {
      run: async () => {
        active += 1;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        active -= 1;
      },
    });
    for (let i = 0; i < 6; i += 1) await enqueueJob(db, { kind: 'test' }, now());
    await queue.start();
    await queue.idle();
    expect(most).toBe(2);
    expect((await jobs()).every((job) => job.state === 'done')).toBe(true);
  });

  it('refuses to wait for idle when it is not running', async () => {
    const queue = makeQueue();
    await expect(queue.idle()).rejects.toThrow('not running');
  });

  it('runs each job exactly once when two processes work the queue at once', async () => {
    const other = await anotherProcess();
    const runs: string[] = [];
    const work = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
    const first = makeQueue({ concurrency: 2 });
    const second = makeQueue({ db: other.db, concurrency: 2 });
    first.register('test', recording(runs, work));
    second.register('test', recording(runs, work));
    const ids: (string | null)[] = [];
    for (let i = 0; i < 40; i += 1) ids.push(await enqueueJob(db, { kind: 'test' }, now()));
    await Promise.all([first.start(), second.start()]);
    await Promise.all([first.idle(), second.idle()]);
    expect([...runs].sort()).toEqual([...ids].sort());
    const rows = await jobs();
    expect(rows.every((job) => job.state === 'done' && job.attempts === 1 && job.locked_by === null)).toBe(
      true,
    );
  });

  it('leaves a job under a live lease alone, and takes it back once the lease has run out', async () => {
    const id = await enqueueJob(db, { kind: 'test' }, now());
    // As a process that then died leaves it: claimed under a one-minute lease.
    await db
      .updateTable('jobs')
      .set({
        state: 'running',
        attempts: 1,
        locked_by: 'another-host:4242:gone',
        locked_until: new Date(clock.getTime() + 60_000).toISOString(),
      })
      .where('id', '=', id)
      .execute();
    const runs: string[] = [];
    const queue = makeQueue({ leaseMs: 60_000 });
    queue.register('test', recording(runs));
    await queue.start();
    await queue.idle();
    expect(runs).toEqual([]);
    expect(await jobs()).toMatchObject([{ state: 'running', locked_by: 'another-host:4242:gone' }]);

    advance(60_001);
    await queue.idle();
    expect(runs).toEqual([id]);
    // The lost run counts: a job that takes its process down cannot do so for ever.
    expect(await jobs()).toMatchObject([{ state: 'done', attempts: 2, locked_by: null, locked_until: null }]);
  });

  it('never takes a job from a live process: its lease is renewed while the job runs', async () => {
    const job = held();
    const first = makeQueue({ leaseMs: 400 });
    first.register('test', job.handler);
    const id = await enqueueJob(db, { kind: 'test' }, now());
    await first.start();
    await job.running;
    const row = async () => db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(await row()).toMatchObject({ state: 'running', locked_by: first.workerId });
    // Far past the first lease, one lease at a time, each renewed by the running process.
    for (let step = 0; step < 5; step += 1) {
      advance(400);
      await vi.waitFor(async () =>
        expect(Date.parse((await row()).locked_until ?? '')).toBeGreaterThan(clock.getTime()),
      );
    }
    const other = await anotherProcess();
    const runs: string[] = [];
    const second = makeQueue({ db: other.db, leaseMs: 400 });
    second.register('test', recording(runs));
    await second.start();
    await second.idle();
    expect(runs).toEqual([]);
    job.finish();
    await first.idle();
    expect(await row()).toMatchObject({ state: 'done', attempts: 1 });
    expect(runs).toEqual([]);
  });

  it('stops a job whose lease another process took, and records nothing for it', async () => {
    const job = held();
    const queue = makeQueue({ leaseMs: 400 });
    queue.register('test', job.handler);
    const id = await enqueueJob(db, { kind: 'test' }, now());
    await queue.start();
    await job.running;
    await db.updateTable('jobs').set({ locked_by: 'the-other-process' }).where('id', '=', id).execute();
    await vi.waitFor(() => expect(job.signals[0]?.aborted).toBe(true));
    await queue.idle();
    expect(await jobs()).toMatchObject([{ state: 'running', attempts: 1, locked_by: 'the-other-process' }]);
  });

  /**
   * The database's disk fills up, or has room again: every update of a job is refused with the
   * dialect's own error for a full disk (PostgreSQL's disk_full, SQLite's SQLITE_FULL message),
   * as they are when the write-ahead log cannot grow.
   */
  const diskFull = async (full: boolean): Promise<void> => {
    if (database.handle.dialect === 'postgres') {
      if (full) {
        await sql`create function jobs_disk_full() returns trigger language plpgsql as $$
          begin raise exception 'could not extend file: No space left on device' using errcode = '53100'; end $$`.execute(
          db,
        );
        await sql`create trigger jobs_disk_full before update on jobs for each row execute function jobs_disk_full()`.execute(
          db,
        );
      } else {
        await sql`drop trigger jobs_disk_full on jobs`.execute(db);
        await sql`drop function jobs_disk_full()`.execute(db);
      }
    } else if (full) {
      await sql`create trigger jobs_disk_full before update on jobs begin select raise(abort, 'database or disk is full'); end`.execute(
        db,
      );
    } else {
      await sql`drop trigger jobs_disk_full`.execute(db);
    }
  };

  it('finishes every job once a full disk has room again, one whose failure could not be recorded too, without a restart', async () => {
    const logged: { message: string; at: number }[] = [];
    const log = {
      ...silent,
      error: (_object: object, message: string) => logged.push({ message, at: Date.now() }),
    };
    const runs: string[] = [];
    const queue = makeQueue({ leaseMs: 400, log });
    queue.register('thumbnail', {
      run: async (job) => {
        runs.push(job.id);
        if (runs.length > 1) return;
        // The disk fills up as the job writes its output, so the job fails (a real ENOSPC) and
        // its failure cannot be recorded either.
        await diskFull(true);
        await writeFile('/dev/full', 'a thumbnail');
      },
    });
    const first = await enqueueJob(db, { kind: 'thumbnail' }, now());
    const later = await enqueueJob(
      db,
      { kind: 'thumbnail', runAfter: new Date(clock.getTime() + HOUR_MS) },
      now(),
    );
    await queue.start();
    const messages = (): string[] => logged.map((entry) => entry.message);
    // Both were queued at the same instant: each is found by its id.
    const byId = async (): Promise<Record<string, JobRow>> =>
      Object.fromEntries((await jobs()).map((job) => [job.id, job]));
    await vi.waitFor(() => expect(messages()).toContain('could not record a job’s outcome'));
    expect(await byId()).toMatchObject({
      [String(first)]: { state: 'running', attempts: 1, locked_by: queue.workerId },
      [String(later)]: { state: 'queued' },
    });

    // Its lease runs out while the disk is still full: taking it back fails too, and is tried
    // again after a pause, not every few milliseconds (the expired lease is due at once).
    advance(401);
    queue.wake();
    const reclaimFailures = (): number[] =>
      logged
        .filter((entry) => entry.message === 'could not take back jobs whose lease ran out')
        .map((entry) => entry.at);
    await vi.waitFor(() => expect(reclaimFailures().length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    const [firstTry = 0, secondTry = 0] = reclaimFailures();
    expect(secondTry - firstTry).toBeGreaterThanOrEqual(900);
    expect(await byId()).toMatchObject({
      [String(first)]: { state: 'running' },
      [String(later)]: { state: 'queued' },
    });

    // Room again: the job is taken back (the lost run counted) and runs, and so does the next.
    await diskFull(false);
    await queue.idle();
    advance(HOUR_MS);
    await queue.idle();
    expect(runs).toEqual([first, first, later]);
    expect(await byId()).toMatchObject({
      [String(first)]: { state: 'done', attempts: 2, locked_by: null },
      [String(later)]: { state: 'done', attempts: 1 },
    });
  });

  it('hands its running jobs back when it stops, for another process to take at once', async () => {
    const job = held();
    const first = makeQueue();
    first.register('test', job.handler);
    const id = await enqueueJob(db, { kind: 'test' }, now());
    await first.start();
    await job.running;
    await first.stop();
    expect(await jobs()).toMatchObject([
      { id, state: 'queued', attempts: 0, locked_by: null, locked_until: null },
    ]);

    const other = await anotherProcess();
    const runs: string[] = [];
    const second = makeQueue({ db: other.db });
    second.register('test', recording(runs));
    await second.start();
    await second.idle();
    expect(runs).toEqual([id]);
    expect(await jobs()).toMatchObject([{ state: 'done', attempts: 1 }]);
  });

  it('queues one job per unique key, however many processes ask at once, and another once it runs', async () => {
    const other = await anotherProcess();
    const asks = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        enqueueJob(i % 2 === 0 ? db : other.db, { kind: 'sweep', uniqueKey: 'sweep' }, now()),
      ),
    );
    expect(asks.filter((id) => id !== null)).toHaveLength(1);
    expect(await jobs()).toHaveLength(1);

    const job = held();
    const queue = makeQueue();
    queue.register('sweep', job.handler);
    await queue.start();
    await job.running;
    // Running, it no longer holds the key: work queued meanwhile gets a run of its own.
    expect(await enqueueJob(other.db, { kind: 'sweep', uniqueKey: 'sweep' }, now())).not.toBeNull();
    expect(await enqueueJob(db, { kind: 'sweep', uniqueKey: 'sweep' }, now())).toBeNull();
    job.finish();
    await queue.idle();
    expect((await jobs()).map((row) => row.state).sort()).toEqual(['done', 'done']);
  });

  it('is woken by a job another process queues', async () => {
    const other = await anotherProcess();
    const runs: string[] = [];
    // On PostgreSQL the other process's NOTIFY wakes it (no polling to speak of); SQLite has no
    // such signal, and a worker there looks every so often.
    const queue = makeQueue(
      database.handle.dialect === 'postgres'
        ? { pollMs: HOUR_MS, wakeups: postgresWakeups(database.handle.pool, silent) }
        : { pollMs: 50 },
    );
    let ran: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (ran = resolve));
    queue.register(
      'test',
      recording(runs, () => Promise.resolve(ran())),
    );
    await queue.start();
    await queue.idle();
    const id = await enqueueJob(other.db, { kind: 'test' }, now());
    await done;
    expect(runs).toEqual([id]);
  });
});
