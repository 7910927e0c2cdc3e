import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** The server suites on one dialect (tests/server/helpers.ts reads SHOEBOX_TEST_DIALECT). */
function serverSuites(name: string, dialect: 'sqlite' | 'postgres'): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      include: ['tests/server/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 60_000,
      env: { SHOEBOX_TEST_DIALECT: dialect },
      globalSetup: dialect === 'postgres' ? ['tests/support/postgres-setup.ts'] : [],
      // Each file starts its own server on its own database and data directory, so the files need
      // no fresh module graph each: a worker imports the server once for all its files (the
      // project's CPU time halves: 114 s to 59 s on SQLite here).
      isolate: false,
    },
  };
}

/** Issue 18's abuse suites that start the built server in its own process (and drive Chromium). */
const SECURITY_OWN_PROCESS = ['tests/security/browser.test.ts', 'tests/security/flood.test.ts'];
/** Issue 18's suites against two processes on PostgreSQL and S3 (tests/support/two-processes.ts). */
const SECURITY_TWO_PROCESSES = 'tests/security/processes.test.ts';
const FAULTS_TWO_PROCESSES = 'tests/faults/processes.test.ts';

/**
 * Issue 18: the abuse suite (`npm run test:security`). The suites that build the app in the test
 * process (helpers.ts) run on both dialects; the ones that start the built server in its own
 * process and drive Chromium (`security-browser`) run on the default (SQLite) only, beside the
 * other browser suites (scripts/test.ts); the one against two processes on PostgreSQL and S3 runs
 * with the PostgreSQL project.
 */
function securitySuites(
  name: string,
  dialect: 'sqlite' | 'postgres' | 'own-process',
): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      include: dialect === 'own-process' ? SECURITY_OWN_PROCESS : ['tests/security/**/*.test.ts'],
      exclude:
        dialect === 'own-process'
          ? []
          : [...SECURITY_OWN_PROCESS, ...(dialect === 'sqlite' ? [SECURITY_TWO_PROCESSES] : [])],
      environment: 'node',
      env: { SHOEBOX_TEST_DIALECT: dialect === 'postgres' ? 'postgres' : 'sqlite' },
      globalSetup: [
        'tests/e2e/global-setup.ts',
        ...(dialect === 'postgres' ? ['tests/support/postgres-setup.ts'] : []),
      ],
      testTimeout: 180_000,
      hookTimeout: 120_000,
      fileParallelism: false,
      // As the server suites: each file starts its own server (one import of it per worker).
      isolate: false,
    },
  };
}

/** Issue 20: the `shoebox` CLI, built, as a child process against the real server on one dialect. */
function cliSuites(name: string, dialect: 'sqlite' | 'postgres'): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      include: ['tests/cli/**/*.test.ts'],
      // The package's layout does not depend on the database.
      exclude: dialect === 'postgres' ? ['tests/cli/package.test.ts'] : [],
      environment: 'node',
      env: { SHOEBOX_TEST_DIALECT: dialect },
      globalSetup: [
        'tests/cli/global-setup.ts',
        ...(dialect === 'postgres' ? ['tests/support/postgres-setup.ts'] : []),
      ],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      // As the server suites: each file starts its own server (one import of it per worker).
      isolate: false,
    },
  };
}

// The server suites run once on SQLite and once on PostgreSQL (src/server/db/testing.ts). Without
// a PostgreSQL server to use, the second run cannot happen: the summary reporter then says so.
const postgres = (process.env.SHOEBOX_TEST_DATABASE_URL ?? '').trim() !== '';

export default defineConfig({
  test: {
    reporters: [
      'default',
      './tests/support/table-reporter.ts',
      './tests/support/durations-reporter.ts',
      './tests/support/summary-reporter.ts',
    ],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          // Only PostgreSQL's (its whole file); the summary says when PostgreSQL was not run.
          exclude: postgres ? [] : ['src/server/uploads/postgres-locker.test.ts'],
          environment: 'node',
        },
      },
      serverSuites('server', 'sqlite'),
      ...(postgres ? [serverSuites('server-postgres', 'postgres')] : []),
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // One Chromium at a time: the machine has two cores and each suite starts its own server.
          fileParallelism: false,
        },
      },
      cliSuites('cli', 'sqlite'),
      ...(postgres ? [cliSuites('cli-postgres', 'postgres')] : []),
      {
        // Issue 18: the fault suite (`npm run test:faults`), the built server in its own process
        // with Chromium, on the default (SQLite and files), and on two processes on PostgreSQL and
        // S3 when there is a PostgreSQL server.
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          exclude: postgres ? [] : [FAULTS_TWO_PROCESSES],
          environment: 'node',
          globalSetup: [
            'tests/e2e/global-setup.ts',
            ...(postgres ? ['tests/support/postgres-setup.ts'] : []),
          ],
          testTimeout: 420_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      securitySuites('security', 'sqlite'),
      ...(postgres ? [securitySuites('security-postgres', 'postgres')] : []),
      securitySuites('security-browser', 'own-process'),
    ],
  },
});
