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

/** How long the listener waits before listening again after its connection broke. */
const RELISTEN_MS = 1_000;

export interface PostgresLockerOptions {
  pool: pg.Pool;
  /** How long a request waits for an upload another one holds (tus's default: 30 s). */
  acquireLockTimeout?: number;
  /**
   * Reports a connection that broke (PostgreSQL restarted, the network failed). Without a
   * listener, node-postgres would throw the error and end the process.
   */
  onConnectionError?: (error: Error) => void;
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
  readonly #onError: (error: Error) => void;
  #listener: pg.PoolClient | null = null;
  #closed = false;
  #relisten: NodeJS.Timeout | undefined;

  private constructor(options: PostgresLockerOptions) {
    this.#pool = options.pool;
    this.#timeout = options.acquireLockTimeout ?? 30_000;
    this.#onError =
      options.onConnectionError ??
      ((error) =>
        process.emitWarning(`A PostgreSQL connection of the upload locker failed: ${error.message}`));
  }

  /** A locker listening for other processes' requests to let go. */
  static async create(options: PostgresLockerOptions): Promise<PostgresLocker> {
    const locker = new PostgresLocker(options);
    await locker.#listen();
    return locker;
  }

  /**
   * Holds a connection that LISTENs for requests to let go. When it breaks, another one listens a
   * second later; a request sent meanwhile is missed, and its sender waits for the lock's timeout.
   */
  async #listen(): Promise<void> {
    const listener = await this.#pool.connect();
    // Stays on the connection once it broke: node-postgres may emit a second error as it closes.
    const broken = (error: Error): void => {
      if (this.#listener !== listener) return;
      this.#listener = null;
      listener.release(error);
      this.#onError(error);
      if (this.#closed) return;
      const again = (): void => {
        this.#listen().catch((failure: unknown) => {
          this.#onError(failure instanceof Error ? failure : new Error(String(failure)));
          if (!this.#closed) this.#relisten = setTimeout(again, RELISTEN_MS).unref();
        });
      };
      this.#relisten = setTimeout(again, RELISTEN_MS).unref();
    };
    listener.on('error', broken);
    listener.on('notification', (message) => {
      if (message.channel !== RELEASE_CHANNEL || message.payload === undefined) return;
      void this.#held.get(message.payload)?.();
    });
    try {
      await listener.query(`LISTEN ${RELEASE_CHANNEL}`);
    } catch (error) {
      listener.release(error instanceof Error ? error : true);
      throw error;
    }
    if (this.#closed) {
      listener.removeListener('error', broken);
      listener.release(true);
      return;
    }
    this.#listener = listener;
  }

  newLock(id: string): Lock {
    let client: pg.PoolClient | null = null;
    const pool = this.#pool;
    const timeout = this.#timeout;
    const held = this.#held;
    const onError = this.#onError;
    // A connection that breaks while it holds the lock has lost it with its session; the request
    // learns when it unlocks. Without this listener the error would end the process.
    const broken = (error: Error): void => onError(error);
    return {
      async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
        const deadline = Date.now() + timeout;
        const connection = await pool.connect();
        connection.on('error', broken);
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
          if (error instanceof Error && 'status_code' in error) {
            // Timed out or cancelled: the connection is sound and goes back to the pool.
            connection.removeListener('error', broken);
            connection.release();
          } else {
            // A query failed: the connection is closed, keeping its listener (see #listen).
            connection.release(error instanceof Error ? error : true);
          }
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
          connection.removeListener('error', broken);
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
    this.#closed = true;
    clearTimeout(this.#relisten);
    const listener = this.#listener;
    this.#listener = null;
    if (listener === null) return;
    // Back in the pool, the connection must carry none of this listener's handlers.
    listener.removeAllListeners('notification');
    listener.removeAllListeners('error');
    const report = (error: Error): void => this.#onError(error);
    listener.on('error', report);
    try {
      await listener.query(`UNLISTEN ${RELEASE_CHANNEL}`);
      listener.removeListener('error', report);
      listener.release();
    } catch (error) {
      listener.release(error instanceof Error ? error : true);
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    }
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
