import type pg from 'pg';
import { JOBS_CHANNEL, type JobLogger, type JobWakeups } from './queue';

/** How long to wait before listening again after the connection broke. */
const RECONNECT_MS = 1_000;

/**
 * Wake-ups from PostgreSQL: one connection of the pool held for `LISTEN shoebox_jobs`, which every
 * process's enqueueJob notifies in the transaction that queues a job. A broken connection is
 * replaced after a second; the queue is woken then too, since a notification sent meanwhile is lost.
 */
export function postgresWakeups(pool: pg.Pool, log: JobLogger): JobWakeups {
  return {
    async subscribe(onWake) {
      let client: pg.PoolClient | null = null;
      let release: () => Promise<void> = () => Promise.resolve();
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;

      const listen = async (): Promise<void> => {
        const connected = await pool.connect();
        let released = false;
        const notified = (): void => onWake();
        const ended = (): void => lost();
        /** Gives the connection back, as broken when `error` is given (the pool then closes it). */
        const giveBack = (error?: Error | true): void => {
          released = true;
          connected.removeListener('notification', notified);
          connected.removeListener('end', ended);
          // A broken connection keeps its error listener: node-postgres may emit a second error
          // as it closes (FATAL, then "Connection terminated"), and an unheard one ends the process.
          if (error === undefined) connected.removeListener('error', lost);
          connected.release(error);
          if (client === connected) client = null;
        };
        function lost(error?: Error): void {
          if (released) return;
          giveBack(error ?? true);
          if (stopped) return;
          log.warn({ err: error }, 'lost the connection that listens for new jobs; listening again');
          retry = setTimeout(() => void relisten(), RECONNECT_MS);
          retry.unref();
        }
        connected.on('notification', notified);
        connected.on('error', lost);
        connected.on('end', ended);
        try {
          await connected.query(`listen ${JOBS_CHANNEL}`);
        } catch (error) {
          giveBack(error instanceof Error ? error : true);
          throw error;
        }
        client = connected;
        release = async () => {
          if (released) return;
          try {
            await connected.query(`unlisten ${JOBS_CHANNEL}`);
            giveBack();
          } catch (error) {
            if (!released) giveBack(error instanceof Error ? error : true);
            throw error;
          }
        };
      };
      const relisten = async (): Promise<void> => {
        try {
          await listen();
          onWake();
        } catch (error) {
          log.warn({ err: error }, 'could not listen for new jobs; trying again');
          retry = setTimeout(() => void relisten(), RECONNECT_MS);
          retry.unref();
        }
      };

      await listen();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        if (client !== null) await release();
        client = null;
      };
    },
  };
}
