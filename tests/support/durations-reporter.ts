/**
 * Where a run's time went, for the test-time budget (README, "Tests"): after the run, the seconds
 * of each project (its files' durations added up: importing, setting up and running each) and of
 * the slowest files, beside the run's wall time. With SHOEBOX_TEST_DURATIONS_FILE set, every
 * file's figures are also written there as JSON, to compare two runs file by file.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

const SLOWEST = 12;

interface FileDuration {
  project: string;
  file: string;
  /** Importing the file and what it imports, in seconds. */
  collect: number;
  /** Everything: environment, setup, import, tests and hooks, in seconds. */
  total: number;
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

function durationOf(module: TestModule): FileDuration {
  const diagnostic = module.diagnostic();
  const total =
    diagnostic.environmentSetupDuration +
    diagnostic.prepareDuration +
    diagnostic.setupDuration +
    diagnostic.collectDuration +
    diagnostic.duration;
  return {
    project: module.project.name,
    file: relative(process.cwd(), module.moduleId),
    collect: seconds(diagnostic.collectDuration),
    total: seconds(total),
  };
}

export default class DurationsReporter implements Reporter {
  #startedAt = Date.now();

  onTestRunStart(): void {
    this.#startedAt = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const files = testModules.map(durationOf).sort((a, b) => b.total - a.total);
    if (files.length === 0) return;
    const projects = new Map<string, { files: number; total: number }>();
    for (const file of files) {
      const project = projects.get(file.project) ?? { files: 0, total: 0 };
      project.files += 1;
      project.total += file.total;
      projects.set(file.project, project);
    }
    const wall = seconds(Date.now() - this.#startedAt);
    const out = [
      '',
      `Durations: ${wall} s of wall time; per project, its files' seconds added up:`,
      ...[...projects]
        .sort((a, b) => b[1].total - a[1].total)
        .map(([name, project]) => `  ${name}: ${seconds(project.total * 1000)} s in ${project.files} files`),
      `Slowest files (seconds; of which importing):`,
      ...files
        .slice(0, SLOWEST)
        .map((file) => `  ${file.total} (${file.collect})  ${file.project}  ${file.file}`),
      '',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    const path = process.env.SHOEBOX_TEST_DURATIONS_FILE;
    if (path !== undefined && path !== '')
      writeFileSync(path, `${JSON.stringify({ wall, files }, null, 1)}\n`);
  }
}
