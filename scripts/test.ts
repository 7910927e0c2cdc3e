// `npm test`: type-check, lint, build and every suite but the fault and abuse suites, in two lanes
// at once so that both cores of a small machine work (README, "Tests"). Within a lane, one step
// at a time:
// - browser: the app's build, then the end-to-end suite that drives Chromium against the built
//   server (one file at a time), then the CLI suites (both dialects);
// - checks: vue-tsc, then eslint and prettier, then the suites that run in Node (unit, and the
//   server suites on both dialects).
// The fault and abuse suites (`npm run test:faults`, `npm run test:security`) take about seven
// minutes more between them here; .ci/run runs them as steps of their own after this (issue 18).
// The server and CLI bundles are built first, before either lane. Each line of output is marked
// with its lane. A lane that fails does not stop the other, so one run reports everything; the
// last line adds up both lanes' "Tests:" lines (tests/support/summary-reporter.ts).
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

const projects = (names: string[]): string[] => names.flatMap((name) => ['--project', name]);

interface Ran {
  code: number;
  /** What it printed on stdout, line by line. */
  output: string[];
}

/** Runs a command, each line of its output marked with `lane`. */
function run(lane: string, [command = '', ...args]: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    // Each lane's vitest writes its own durations (tests/support/durations-reporter.ts).
    const durations = process.env.SHOEBOX_TEST_DURATIONS_FILE;
    const env =
      durations === undefined || durations === ''
        ? process.env
        : { ...process.env, SHOEBOX_TEST_DURATIONS_FILE: `${durations}.${lane.trim()}` };
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const output: string[] = [];
    const streams: [Readable, Writable, boolean][] = [
      [child.stdout, process.stdout, true],
      [child.stderr, process.stderr, false],
    ];
    for (const [stream, target, kept] of streams) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (kept) output.push(line);
          target.write(`${lane} │ ${line}\n`);
        }
      });
      stream.on('end', () => {
        if (rest !== '') target.write(`${lane} │ ${rest}\n`);
      });
    }
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const started = Date.now();
const bundles = await run('build  ', ['npm', 'run', 'build:server']);
const cli = bundles.code === 0 ? await run('build  ', ['npm', 'run', 'build:cli']) : bundles;
if (cli.code !== 0) process.exit(cli.code);

let appBuilt: () => void = () => undefined;
const appBuild = new Promise<void>((resolve) => (appBuilt = resolve));

interface Step {
  command: string[];
  /** Waits for this first. */
  after?: Promise<void>;
  /** Called once it has run, whether it passed or not. */
  done?: () => void;
  /** A vitest run, whose "Tests:" line counts. */
  vitest?: boolean;
}

interface LaneResult {
  name: string;
  failedAt: string | null;
  tests: string[];
}

/**
 * A lane's steps, one after the other; a step that fails ends the lane. With `nice`, at a lower
 * priority: the other lane is the longer one and holds the timing-sensitive tests.
 */
async function lane(name: string, steps: Step[], options: { nice?: boolean } = {}): Promise<LaneResult> {
  const tests: string[] = [];
  for (const step of steps) {
    if (step.after !== undefined) await step.after;
    const result = await run(
      name,
      options.nice === true ? ['nice', '-n', '10', ...step.command] : step.command,
    );
    step.done?.();
    if (step.vitest) tests.push(...result.output.filter((line) => line.startsWith('Tests: ')));
    if (result.code !== 0) return { name, failedAt: step.command.join(' '), tests };
  }
  return { name, failedAt: null, tests };
}

const results = await Promise.all([
  lane('browser', [
    { command: ['npx', 'vite', 'build'], done: appBuilt },
    {
      command: ['npx', 'vitest', 'run', ...projects(['e2e'])],
      vitest: true,
    },
    // After Chromium's suite: the checks lane is the longer one.
    { command: ['npx', 'vitest', 'run', ...projects(['cli*'])], vitest: true },
  ]),
  lane(
    'checks ',
    [
      { command: ['npm', 'run', 'typecheck'] },
      { command: ['npm', 'run', 'lint'] },
      {
        command: ['npx', 'vitest', 'run', ...projects(['unit', 'server*'])],
        // Some server suites serve the app's build or drive Chromium against it (the two
        // processes of tests/server/processes.test.ts).
        after: appBuild,
        vitest: true,
      },
    ],
    { nice: true },
  ),
]);

let passed = 0;
let failed = 0;
let skipped = 0;
let postgresNotRun = false;
for (const result of results) {
  for (const line of result.tests) {
    const [, pass = '0', fail = '0', skip = '0'] =
      /^Tests: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(line) ?? [];
    passed += Number(pass);
    failed += Number(fail);
    skipped += Number(skip);
    postgresNotRun ||= line.includes('PostgreSQL: NOT RUN');
  }
}
const stopped = results.filter((result) => result.failedAt !== null);
for (const result of stopped) console.log(`Lane ${result.name.trim()} failed at: ${result.failedAt}`);
console.log(`npm test: ${Math.round((Date.now() - started) / 1000)} s`);
console.log(
  `Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${postgresNotRun ? ' (PostgreSQL: NOT RUN)' : ''}`,
);
process.exit(stopped.length > 0 || failed > 0 ? 1 : 0);
