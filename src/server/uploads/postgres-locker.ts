import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import type pg from 'pg';

/** Where processes ask each other to let go of an upload (LISTEN/NOTIFY); the payload is its id. */
const RELEASE_CHANNEL = 'shoebox_tus_release';
/** tus's ERR_LOCK_TIMEOUT as an Error that @tus/server still answers by its status_code and body. */
const lockTimeout = (): Error =>
  Object.assign(new Error(ERRORS.ERR_LOCK_TIMEOUT.body), ERRORS.ERR_LOCK_TIMEOUT);

/** How often a waiting request tries the lock again. */
const RETRY_MS = 100;

/** The advisory lock's key: a 64-bit hash of the upload id, apart from other uses of advisory locks. */
const KEY_SQL = `hashtextextended('shoebox-tus:' || $1, 0)`;

export interface PostgresLockerOptions {
  pool: pg.Pool;
  /** How long a request waits for an upload another one holds (tus's default: 30 s). */
  acquireLockTimeout?: number;
}

/**
 * @tus/server's Locker across processes (DESIGN §6, issue 14), on PostgreSQL's session advisory
 * locks: a request holds a pooled connection with `pg_advisory_lock` on its upload until it
 * unlocks. As with MemoryLocker, a request that wants a held upload asks the holder to let go,
 * here with NOTIFY, which every process's listener hears, and then tries again until the holder
 * has unlocked, its request is cancelled, or the timeout passes (ERR_LOCK_TIMEOUT). A process
 * that dies drops its connections, and PostgreSQL its locks.
 */
export class PostgresLocker implements Locker {
  readonly #pool: pg.Pool;
  readonly #timeout: number;
  /** The release callbacks of the locks this process holds, by upload id. */
  readonly #held = new Map<string, RequestRelease>();
  #listener: pg.PoolClient | null = null;

  private constructor(options: PostgresLockerOptions) {
    this.#pool = options.pool;
    this.#timeout = options.acquireLockTimeout ?? 30_000;
  }

  /** A locker listening for other processes' requests to let go. */
  static async create(options: PostgresLockerOptions): Promise<PostgresLocker> {
    const locker = new PostgresLocker(options);
    const listener = await options.pool.connect();
    listener.on('notification', (message) => {
      if (message.channel !== RELEASE_CHANNEL || message.payload === undefined) return;
      void locker.#held.get(message.payload)?.();
    });
    await listener.query(`LISTEN ${RELEASE_CHANNEL}`);
    locker.#listener = listener;
    return locker;
  }

  newLock(id: string): Lock {
    let client: pg.PoolClient | null = null;
    const pool = this.#pool;
    const timeout = this.#timeout;
    const held = this.#held;
    return {
      async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
        const deadline = Date.now() + timeout;
        const connection = await pool.connect();
        try {
          for (let asked = false; ; asked = true) {
            if (signal.aborted) throw lockTimeout();
            const { rows } = await connection.query<{ locked: boolean }>(
              `SELECT pg_try_advisory_lock(${KEY_SQL}) AS locked`,
              [id],
            );
            if (rows[0]?.locked === true) break;
            if (!asked) await connection.query('SELECT pg_notify($1, $2)', [RELEASE_CHANNEL, id]);
            if (Date.now() >= deadline) throw lockTimeout();
            await waitOrAbort(Math.min(RETRY_MS, deadline - Date.now()), signal);
          }
        } catch (error) {
          connection.release();
          throw error;
        }
        client = connection;
        held.set(id, requestRelease);
      },
      async unlock(): Promise<void> {
        const connection = client;
        if (connection === null) throw new Error('Releasing an unlocked lock!');
        client = null;
        held.delete(id);
        try {
          await connection.query(`SELECT pg_advisory_unlock(${KEY_SQL})`, [id]);
          connection.release();
        } catch (error) {
          // A connection whose lock state is unknown is closed, which frees its locks.
          connection.release(error instanceof Error ? error : true);
          throw error;
        }
      },
    };
  }

  /** Stops listening. Locks still held are the requests' to unlock. */
  async close(): Promise<void> {
    const listener = this.#listener;
    this.#listener = null;
    if (listener === null) return;
    await listener.query(`UNLISTEN ${RELEASE_CHANNEL}`);
    listener.release();
  }
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(ms, 0));
    signal.addEventListener('abort', done, { once: true });
  });
}
