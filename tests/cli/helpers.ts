/**
 * Helpers for the CLI suites: the built `shoebox` (build/cli/shoebox.js, the package's bin) run
 * as a child process with a home of its own (its token and state file there), and a loopback
 * proxy in front of the real server that records every request, can hold a PATCH mid-body or lose
 * the server's answer, and can be pointed at a restarted server, so a test can stop the CLI or the
 * server at a known point of an upload.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TUS_ENDPOINT } from '../../src/shared/tus';
import { REPO_ROOT } from '../support/corpus';

export const CLI = path.join(REPO_ROOT, 'build/cli/shoebox.js');

/** A home directory for one CLI user: XDG config (the token) and data (the state file) inside. */
export async function makeHome(): Promise<Record<string, string>> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'shoebox-cli-home-'));
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
  };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Resolves when it has exited. */
  done: Promise<CliRun>;
}

/** Starts `shoebox ARGS…`; stdin gets `input` (then closes), never a terminal. */
export function startCli(
  args: string[],
  options: { env: Record<string, string>; input?: string; cwd?: string },
): CliProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // The suite's own credentials never leak in from the environment running the tests.
  if (options.env.SHOEBOX_URL === undefined) delete env.SHOEBOX_URL;
  if (options.env.SHOEBOX_TOKEN === undefined) delete env.SHOEBOX_TOKEN;
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin?.end(options.input ?? '');
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(
  args: string[],
  options: { env: Record<string, string>; input?: string; cwd?: string },
): Promise<CliRun> {
  return startCli(args, options).done;
}

/** The objects of `--json` output, one per line. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The `--json` summary line. */
export function summaryOf(stdout: string): Record<string, unknown> & {
  uploaded: { files: number; bytes: number };
  alreadyThere: { files: number; bytes: number };
  wouldUpload: { files: number; bytes: number };
  skipped: { path: string; reason: string }[];
  failed: { path: string; reason: string }[];
  hashed: { files: number; bytes: number };
  sentBytes: number;
  resumed: number;
  notDone: number;
  exitCode: number;
} {
  const summary = jsonLines(stdout).find((line) => line.event === 'summary');
  if (summary === undefined) throw new Error(`No summary in the output:\n${stdout}`);
  return summary as ReturnType<typeof summaryOf>;
}

/** Each file's outcome line of `--json` output, by the file's name. */
export function outcomesOf(stdout: string): Map<string, Record<string, unknown>> {
  return new Map(
    jsonLines(stdout)
      .filter((line) => line.event === 'file')
      .map((line) => [path.basename(String(line.path)), line]),
  );
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Bytes of the request body passed on to the server. */
  bodyBytes: number;
  status: number | null;
  /** When it came in and when its answer was done (performance.now()), null while open. */
  startedAt: number;
  endedAt: number | null;
}

/** The most requests of `requests` that were open at once. */
export function mostAtOnce(requests: readonly SeenRequest[]): number {
  const edges = requests.flatMap((entry) => [
    { at: entry.startedAt, step: 1 },
    { at: entry.endedAt ?? Number.POSITIVE_INFINITY, step: -1 },
  ]);
  // An answer finished at the very moment another request came in does not overlap it.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let open = 0;
  let most = 0;
  for (const { step } of edges) {
    open += step;
    most = Math.max(most, open);
  }
  return most;
}

export interface RecordingProxy {
  url: string;
  requests: SeenRequest[];
  /** Requests to the tus endpoint. */
  tus: () => SeenRequest[];
  /**
   * From now on, passes on at most `bytes` more bytes of PATCH bodies, then holds the PATCH
   * (neither forwarding nor reading more). Resolves once a PATCH is held.
   */
  holdPatchesAfter: (bytes: number) => Promise<void>;
  /** Cuts the held PATCH's connection to the server (as a killed client's would be). */
  cutHeld: () => void;
  /**
   * From now on, the server's answer to a request that `matches` is not passed on (the request
   * did reach the server and was answered: the answer is lost on its way back). Resolves with
   * that request once one is held.
   */
  holdAnswers: (matches: (answer: http.IncomingMessage) => boolean) => Promise<SeenRequest>;
  /** Sends what comes next to another server (the same one restarted on another port). */
  retarget: (target: string) => void;
  close: () => Promise<void>;
}

/** A loopback proxy to `target` that records every request. */
export async function recordingProxy(target: string): Promise<RecordingProxy> {
  let upstream = new URL(target);
  let answerHold: {
    matches: (answer: http.IncomingMessage) => boolean;
    held: (entry: SeenRequest) => void;
  } | null = null;
  const requests: SeenRequest[] = [];
  let budget: number | null = null;
  let onHeld: (() => void) | null = null;
  let held: http.ClientRequest | null = null;

  const proxy = http.createServer((request, response) => {
    const entry: SeenRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      bodyBytes: 0,
      status: null,
      startedAt: performance.now(),
      endedAt: null,
    };
    requests.push(entry);
    response.on('close', () => (entry.endedAt = performance.now()));
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        entry.status = answer.statusCode ?? null;
        if (answerHold?.matches(answer) === true) {
          // The client waits for an answer that never comes, until it is killed.
          answer.resume();
          answerHold.held(entry);
          answerHold = null;
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on('error', () => response.destroy());
    request.on('data', (chunk: Buffer) => {
      let part = chunk;
      if (entry.method === 'PATCH' && budget !== null) {
        part = chunk.subarray(0, Math.max(0, budget));
        budget -= part.length;
      }
      entry.bodyBytes += part.length;
      if (part.length > 0 && !forward.write(part)) {
        request.pause();
        forward.once('drain', () => (held === forward ? undefined : request.resume()));
      }
      if (part.length < chunk.length) {
        request.pause();
        held = forward;
        onHeld?.();
        onHeld = null;
      }
    });
    request.on('end', () => {
      if (held !== forward) forward.end();
    });
    request.on('error', () => forward.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tus: () => requests.filter((entry) => entry.url.startsWith(TUS_ENDPOINT)),
    holdPatchesAfter: (bytes) =>
      new Promise<void>((resolve) => {
        budget = bytes;
        onHeld = resolve;
      }),
    cutHeld: () => {
      held?.destroy();
      held = null;
      budget = null;
    },
    holdAnswers: (matches) =>
      new Promise<SeenRequest>((resolve) => {
        answerHold = { matches, held: resolve };
      }),
    retarget: (next) => {
      upstream = new URL(next);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        proxy.closeAllConnections();
        proxy.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
