/**
 * Prints the rows the fault and abuse suites recorded (tests/support/probe-table.ts) as one
 * table after the run, with a closing count of rows that did not hold.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reporter } from 'vitest/node';
import { TABLE_FILE_ENV, type ProbeRow } from './probe-table';

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - [...text].length));

export default class TableReporter implements Reporter {
  readonly #dir = mkdtempSync(join(tmpdir(), 'shoebox-probe-table-'));
  readonly #file = join(this.#dir, 'rows.jsonl');

  constructor() {
    process.env[TABLE_FILE_ENV] = this.#file;
  }

  onTestRunEnd(): void {
    let rows: ProbeRow[] = [];
    try {
      rows = readFileSync(this.#file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ProbeRow);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    rmSync(this.#dir, { recursive: true, force: true });
    if (rows.length === 0) return;
    const header: ProbeRow = { area: 'area', did: 'did', saw: 'saw', ok: true };
    const widths = {
      area: Math.max(...[header, ...rows].map((row) => row.area.length)),
      did: Math.min(70, Math.max(...[header, ...rows].map((row) => row.did.length))),
    };
    const line = (row: ProbeRow, mark: string): string =>
      `${mark} ${pad(row.area, widths.area)}  ${pad(row.did, widths.did)}  ${row.saw}`;
    const out = ['', line(header, ' '), ...rows.map((row) => line(row, row.ok ? '✓' : '✗'))];
    const failed = rows.filter((row) => !row.ok).length;
    out.push('', `Probe table: ${rows.length} rows, ${failed} did not hold`, '');
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
