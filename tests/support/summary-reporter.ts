/**
 * Prints one plain closing line, "Tests: N passed, N failed, N skipped", after vitest's own
 * report, so that CI can read the outcome of `npm test` without parsing vitest's output. When no
 * PostgreSQL server was given (SHOEBOX_TEST_DATABASE_URL) and server suites or database tests
 * ran, they ran on SQLite only: a banner says so right above that line, where nobody misses it.
 */
import type { Reporter, TestModule } from 'vitest/node';

const POSTGRES_NOT_RUN = [
  '',
  '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  '!! PostgreSQL: NOT RUN. SHOEBOX_TEST_DATABASE_URL is not set, so the server suites and the',
  '!! database tests ran on SQLite only. .ci/run starts a throwaway PostgreSQL cluster and sets it;',
  '!! or point it at a server where you may create databases (README, "Tests and PostgreSQL").',
  '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  '',
].join('\n');

const postgresGiven = (): boolean => (process.env.SHOEBOX_TEST_DATABASE_URL ?? '').trim() !== '';

/** Whether a module is a server suite or a test of the server's code (some reach the database). */
const touchesServer = (module: TestModule): boolean =>
  module.project.name.startsWith('server') || module.moduleId.includes('/src/server/');

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed += 1;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    }
    failed += unhandledErrors.length;
    const postgresMissed = !postgresGiven() && testModules.some(touchesServer);
    if (postgresMissed) process.stdout.write(POSTGRES_NOT_RUN);
    process.stdout.write(
      `\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${postgresMissed ? ' (PostgreSQL: NOT RUN)' : ''}\n`,
    );
  }
}
