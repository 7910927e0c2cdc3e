import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { openTestDatabase, testDialects, type TestDatabase } from '../db/testing';
import { enqueueJob, JobQueue, type JobHandler, type JobQueueOptions, type JobRow } from './queue';

const HOUR_MS = 60 * 60 * 1000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.each(testDialects())('JobQueue on %s', (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let clock: Date;
  const queues: JobQueue[] = [];

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
    await database.close();
  });

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
});
