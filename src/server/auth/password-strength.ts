/**
 * Password strength with zxcvbn-ts, in a worker thread. zxcvbn is pure CPU: a 37-character
 * passphrase took 180 ms, a 46-character one of short words a second, and 256 characters of them
 * seven seconds, each time stalling every request on the server. In the worker the server goes
 * on answering; `maxLength` and `l33tMaxSubstitutions` bound what one check can cost there
 * (zxcvbn-ts issue #164: crafted passwords explode its matchers).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ApiError } from '../errors';

/**
 * zxcvbn's score 2 ("somewhat guessable": about a million guesses) or better. With the sign-in
 * throttle allowing five guesses per account and address a quarter hour, that outlasts any
 * online attack; "password", "Password1", "qwertyuiop" and eight spaces score 0 (issue 18,
 * finding 10).
 */
export const MIN_PASSWORD_SCORE = 2;

/**
 * Characters scored: a password whose first 64 characters are easy to guess is weak whatever
 * follows, and past that zxcvbn's cost grows much faster than what it learns.
 */
const SCORED_LENGTH = 64;
/** l33t variants tried per match; zxcvbn-ts's default of 100 made a 64-character check take a second. */
const L33T_SUBSTITUTIONS = 10;

/** An idle worker is ended: its dictionaries hold ~40 MB, and building them takes ~0.4 s. */
const IDLE_MS = 30_000;

interface Estimate {
  score: number;
  warning: string | null;
  suggestions: string[];
}

type WorkerReply = { id: number } & ({ ok: true; estimate: Estimate } | { ok: false; detail: string });

/**
 * The worker's source, evaluated from a string so that it survives the server's esbuild bundle
 * (as heif-decoder.ts does); it only runs zxcvbn, everything else stays here.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const en = require(workerData.en);
const estimator = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
  maxLength: workerData.maxLength,
  l33tMaxSubstitutions: workerData.l33tMaxSubstitutions,
});
parentPort.on('message', ({ id, password, userInputs }) => {
  try {
    const result = estimator.check(password, userInputs);
    const { warning, suggestions } = result.feedback;
    parentPort.postMessage({ id, ok: true, estimate: { score: result.score, warning, suggestions } });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, detail: String((error && error.message) || error) });
  }
});
`;

interface Pending {
  resolve: (estimate: Estimate) => void;
  reject: (error: Error) => void;
  /** The worker asked: one that ends fails only its own checks. */
  worker: Worker;
}

let worker: Worker | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function startWorker(): Worker {
  const resolve = createRequire(import.meta.url).resolve;
  const started = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      core: resolve('@zxcvbn-ts/core'),
      common: resolve('@zxcvbn-ts/language-common'),
      en: resolve('@zxcvbn-ts/language-en'),
      maxLength: SCORED_LENGTH,
      l33tMaxSubstitutions: L33T_SUBSTITUTIONS,
    },
  });
  started.on('message', (reply: WorkerReply) => {
    const waiting = pending.get(reply.id);
    if (waiting === undefined) return;
    pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.estimate);
    else waiting.reject(new Error(`zxcvbn failed: ${reply.detail}`));
    if (pendingOn(started) === 0) {
      started.unref();
      idleLater(started);
    }
  });
  // A worker that failed or ended fails what waits on it; the next check starts another. An idle
  // worker ended by its timer (or closePasswordStrength) says so after a check may have started
  // its successor: that check waits on the new worker, not this one.
  const fail = (error: Error): void => {
    if (worker === started) worker = null;
    for (const [id, waiting] of pending) {
      if (waiting.worker !== started) continue;
      pending.delete(id);
      waiting.reject(error);
    }
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`The password checker stopped (exit code ${code}).`)));
  // An idle worker must not keep the process alive (a CLI run, a test file); one with a check
  // pending must, or a process with nothing else to wait on ends with the check unanswered.
  started.unref();
  return started;
}

function pendingOn(asked: Worker): number {
  let count = 0;
  for (const waiting of pending.values()) if (waiting.worker === asked) count += 1;
  return count;
}

function idleLater(idle: Worker): void {
  if (idleTimer !== null) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (worker !== idle || pendingOn(idle) > 0) return;
    worker = null;
    void idle.terminate();
  }, IDLE_MS);
  idleTimer.unref();
}

function estimate(password: string, userInputs: string[]): Promise<Estimate> {
  if (idleTimer !== null) clearTimeout(idleTimer);
  idleTimer = null;
  const asked = (worker ??= startWorker());
  asked.ref();
  const id = nextId;
  nextId += 1;
  return new Promise<Estimate>((resolve, reject) => {
    pending.set(id, { resolve, reject, worker: asked });
    asked.postMessage({ id, password, userInputs });
  });
}

/** Ends the checker's worker now (tests); the next check starts another. */
export async function closePasswordStrength(): Promise<void> {
  if (idleTimer !== null) clearTimeout(idleTimer);
  idleTimer = null;
  const current = worker;
  worker = null;
  if (current !== null) await current.terminate();
}

/**
 * Refuses a password that is easy to guess (WEAK_PASSWORD, with zxcvbn's warning and advice as
 * the sentence). `userInputs` are words of the account's own (email, name) that the password
 * should not lean on.
 */
export async function assertStrongPassword(
  password: string,
  userInputs: readonly string[] = [],
): Promise<void> {
  // Each input whole (an email as the password) and word by word (a name inside it).
  const inputs = [
    'shoebox',
    ...userInputs.flatMap((input) => {
      const lower = input.trim().toLowerCase();
      return [lower, ...lower.split(/[^\p{L}\p{N}]+/u)];
    }),
  ];
  const result = await estimate(
    password,
    inputs.filter((word) => word.length >= 3),
  );
  if (result.score >= MIN_PASSWORD_SCORE) return;
  const advice = [result.warning, ...result.suggestions].filter(
    (line): line is string => line !== null && line !== '',
  );
  throw new ApiError('WEAK_PASSWORD', ['Choose a stronger password.', ...advice].join(' '));
}
