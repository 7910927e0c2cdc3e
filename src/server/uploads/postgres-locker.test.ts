import pg from 'pg';
import { testPostgresUrl } from '../db/testing';
import { describeLockerContract } from './locker.contract';
import { PostgresLocker } from './postgres-locker';

const url = testPostgresUrl();
// Without SHOEBOX_TEST_DATABASE_URL there is no PostgreSQL to lock in, and the run's summary says
// loudly that PostgreSQL was not tested (tests/support/summary-reporter.ts).
if (url !== null) {
  describeLockerContract('PostgresLocker', async (timeoutMs) => {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    const locker = await PostgresLocker.create({ pool, acquireLockTimeout: timeoutMs });
    return {
      locker,
      close: async () => {
        await locker.close();
        await pool.end();
      },
    };
  });

  // Two lockers are two processes: a request in one takes an upload over from the other.
  describeLockerContract('PostgresLocker, held and wanted from two pools', async (timeoutMs) => {
    const pools = [
      new pg.Pool({ connectionString: url, max: 4 }),
      new pg.Pool({ connectionString: url, max: 4 }),
    ];
    const lockers = await Promise.all(
      pools.map((pool) => PostgresLocker.create({ pool, acquireLockTimeout: timeoutMs })),
    );
    let turn = 0;
    return {
      // Each new lock comes from the other process than the one before.
      locker: { newLock: (id) => lockers[turn++ % 2]!.newLock(id) },
      close: async () => {
        await Promise.all(lockers.map((locker) => locker.close()));
        await Promise.all(pools.map((pool) => pool.end()));
      },
    };
  });
}
