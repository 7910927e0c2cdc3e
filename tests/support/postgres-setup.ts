// Global setup of the project that runs the server suites on PostgreSQL: checks that the server
// named by SHOEBOX_TEST_DATABASE_URL answers before any suite starts, and drops the test databases
// a killed run left behind (those of processes that are gone).
import { dropStaleTestDatabases } from '../../src/server/db/testing';

export default async function setup(): Promise<void> {
  const dropped = await dropStaleTestDatabases();
  if (dropped.length > 0) {
    console.warn(`Dropped ${dropped.length} test database(s) left behind by an earlier run.`);
  }
}
