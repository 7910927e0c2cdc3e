/**
 * The table the fault and abuse suites print: each test records what it did and what it saw,
 * and the table reporter (tests/support/table-reporter.ts) prints the rows when the run ends.
 * Test files run in workers; the rows travel through a file the reporter names in the
 * environment before the workers start.
 */
import { appendFileSync } from 'node:fs';

export const TABLE_FILE_ENV = 'SHOEBOX_PROBE_TABLE_FILE';

export interface ProbeRow {
  /** The suite's area: "throttle", "tus malformed", "disk full"… */
  area: string;
  /** What was done, with counts: "400 parallel sign-ins". */
  did: string;
  /** What came back: "401 × 5, 429 × 395". */
  saw: string;
  /** Whether what was seen is what must be seen. */
  ok: boolean;
}

/** Adds a row to the run's table (nothing when no table reporter is listening). */
export function record(row: ProbeRow): void {
  const file = process.env[TABLE_FILE_ENV];
  if (file === undefined || file === '') return;
  appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** "401 × 5, 429 × 395": the counts of a list of values, in order of first appearance. */
export function tally(values: readonly (string | number)[]): string {
  const counts = new Map<string | number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${value} × ${count}`).join(', ');
}
