/**
 * What `shoebox upload` shows: on a terminal, a progress bar (cli-progress) with files, bytes,
 * rate and time left, each skipped or failed file printed above it; otherwise (a log, a pipe) one
 * plain line per file and a progress line now and then; with `--json`, one JSON object per line
 * for scripts. All three end with the same summary.
 */
import cliProgress from 'cli-progress';
import { formatBytes } from '../shared/limits';
import type { BackupSummary, FileResult, Reporter } from './backup';
import type { ScannedFile } from './scan';

const count = (value: number): string => value.toLocaleString('en-US');
const files = (value: number): string => `${count(value)} ${value === 1 ? 'file' : 'files'}`;

/** "12 s", "3 min 20 s", "1 h 5 min". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}

/** Where the run stands: files and bytes done, the upload rate over the last seconds, time left. */
export class Progress {
  filesDone = 0;
  private finishedBytes = 0;
  private readonly held = new Map<string, number>();
  private sent = 0;
  private readonly samples: { at: number; sent: number }[] = [];

  constructor(
    readonly totalFiles: number,
    readonly totalBytes: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Bytes of finished files and of what the server holds of the files in progress. */
  get bytesDone(): number {
    let inProgress = 0;
    for (const bytes of this.held.values()) inProgress += bytes;
    return this.finishedBytes + inProgress;
  }

  uploading(file: ScannedFile, held: number, sent: number): void {
    this.held.set(file.path, held);
    this.sent += sent;
    const at = this.now();
    this.samples.push({ at, sent: this.sent });
    // The rate is taken over the last 20 seconds: steady enough to read, quick to follow a change.
    while (this.samples.length > 2 && (this.samples[0]?.at ?? at) < at - 20_000) this.samples.shift();
  }

  finished(file: ScannedFile): void {
    this.held.delete(file.path);
    this.filesDone += 1;
    this.finishedBytes += file.size;
  }

  /** Bytes per second sent lately; null before there is anything to measure. */
  get rate(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.at - first.at < 1_000) return null;
    return ((last.sent - first.sent) * 1000) / (last.at - first.at);
  }

  /** Seconds left at the current rate, as if everything not yet done needs sending. */
  get secondsLeft(): number | null {
    const rate = this.rate;
    return rate === null || rate <= 0 ? null : (this.totalBytes - this.bytesDone) / rate;
  }

  describe(): { files: string; bytes: string; rate: string; eta: string } {
    const rate = this.rate;
    const left = this.secondsLeft;
    return {
      files: `${count(this.filesDone)}/${count(this.totalFiles)} files`,
      bytes: `${formatBytes(this.bytesDone)} of ${formatBytes(this.totalBytes)}`,
      rate: rate === null ? '–' : `${formatBytes(rate)}/s`,
      eta: left === null ? '–' : `${formatDuration(left)} left`,
    };
  }
}

/** The line (or none) a file's outcome gets in the human output. */
export function fileLine(file: ScannedFile, result: FileResult): string | null {
  switch (result.outcome) {
    case 'uploaded':
      return `uploaded       ${file.display} (${formatBytes(file.size)}${
        result.resumedFrom === null ? '' : `, resumed at ${formatBytes(result.resumedFrom)}`
      })`;
    case 'would-upload':
      return `would ${result.resume ? 'resume ' : 'upload '}  ${file.display} (${formatBytes(file.size)})`;
    case 'skipped':
      return `skipped        ${file.display}: ${result.reason}`;
    case 'failed':
      return `failed         ${file.display}: ${result.reason}`;
    // Already backed up: a rerun over 100,000 files would print 100,000 lines; the summary counts them.
    case 'already-there':
    case 'not-done':
      return null;
  }
}

function grouped(entries: readonly { path: string; reason: string }[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const { path, reason } of entries) byReason.set(reason, [...(byReason.get(reason) ?? []), path]);
  return [...byReason].map(([reason, paths]) => {
    const shown = paths.slice(0, 3).join(', ');
    const more = paths.length > 3 ? ` and ${count(paths.length - 3)} more` : '';
    return `  ${count(paths.length)} × ${reason} (${shown}${more})`;
  });
}

/** The summary a person reads at the end. */
export function summaryText(summary: BackupSummary, ending: 'done' | 'stopped'): string {
  const counts = [
    summary.dryRun
      ? `${count(summary.wouldUpload.files)} to upload (${formatBytes(summary.wouldUpload.bytes)})`
      : `${count(summary.uploaded.files)} uploaded (${formatBytes(summary.uploaded.bytes)})`,
    `${count(summary.alreadyThere.files)} already backed up`,
    `${count(summary.skipped.length)} skipped`,
    `${count(summary.failed.length)} failed`,
  ].join(', ');
  const took = formatDuration(summary.seconds);
  const lines = [
    summary.dryRun
      ? `Dry run against ${summary.server}, nothing was sent: ${counts}.`
      : ending === 'done'
        ? `Backed up ${files(summary.files)} to ${summary.server} in ${took}: ${counts}.`
        : `Stopped after ${took}: ${counts}.`,
  ];
  if (summary.resumed > 0) lines.push(`${files(summary.resumed)} resumed where an earlier run stopped.`);
  if (summary.skipped.length > 0) lines.push('Skipped:', ...grouped(summary.skipped));
  if (summary.failed.length > 0) {
    lines.push('Failed:', ...summary.failed.slice(0, 20).map(({ path, reason }) => `  ${path}: ${reason}`));
    if (summary.failed.length > 20) lines.push(`  and ${count(summary.failed.length - 20)} more`);
  }
  if (summary.notDone > 0) {
    lines.push(
      `${files(summary.notDone)} not backed up yet: run the same command again to continue (unfinished uploads resume where they stopped).`,
    );
  } else if (summary.failed.length > 0) {
    lines.push('Run the same command again to retry the failed files.');
  }
  return lines.join('\n');
}

/**
 * The bar's width for a terminal this wide: what the figures leave of it. cli-progress cuts a line
 * at the terminal's edge, so a bar of fixed width would cut the time left off on 80 columns.
 */
export function barSize(columns: number | undefined): number {
  // The widest figures: "100%  12,345/12,345 files  1.2 GB of 2.4 GB  12.3 MB/s  1 h 5 min left".
  const figures = 72;
  return Math.max(6, Math.min(30, (columns ?? 80) - figures - 1));
}

/** A terminal: one progress bar on stderr, skipped and failed files printed above it. */
export class TerminalReporter implements Reporter {
  private bars: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  private tracker = new Progress(0, 0);

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  start(totals: { files: number; bytes: number }): void {
    this.tracker = new Progress(totals.files, totals.bytes);
    this.bars = new cliProgress.MultiBar(
      {
        stream: this.stream,
        // `left`, not `eta`: cli-progress fills `{eta}` with its own estimate, in seconds.
        format: '{bar} {percentage}%  {files}  {bytes}  {rate}  {left}',
        hideCursor: true,
        clearOnComplete: true,
        fps: 5,
        barsize: barSize(this.stream.columns),
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.bars.create(Math.max(totals.bytes, 1), 0, this.payload());
  }

  private payload(): Record<string, string> {
    const { files, bytes, rate, eta } = this.tracker.describe();
    return { files, bytes, rate, left: eta };
  }

  private redraw(): void {
    this.bar?.update(this.tracker.bytesDone, this.payload());
  }

  progress(file: ScannedFile, held: number, sent: number): void {
    this.tracker.uploading(file, held, sent);
    this.redraw();
  }

  file(file: ScannedFile, result: FileResult): void {
    this.tracker.finished(file);
    const line = fileLine(file, result);
    if (line !== null && (result.outcome === 'skipped' || result.outcome === 'failed')) {
      this.bars?.log(`${line}\n`);
    }
    this.redraw();
  }

  /** Takes the bar away before the summary is printed. */
  stop(): void {
    this.bars?.stop();
    this.bars = null;
  }
}

/** Not a terminal: a line per file that was uploaded, skipped or failed, and progress every 15 s. */
export class PlainReporter implements Reporter {
  private tracker = new Progress(0, 0);
  private lastLine = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(totals: { files: number; bytes: number }): void {
    this.tracker = new Progress(totals.files, totals.bytes, this.now);
    this.lastLine = this.now();
    this.write(`Backing up ${files(totals.files)} (${formatBytes(totals.bytes)}).`);
  }

  progress(file: ScannedFile, held: number, sent: number): void {
    this.tracker.uploading(file, held, sent);
    if (this.now() - this.lastLine < 15_000) return;
    this.lastLine = this.now();
    const { files: done, bytes, rate, eta } = this.tracker.describe();
    this.write(`… ${done}, ${bytes}, ${rate}, ${eta}`);
  }

  file(file: ScannedFile, result: FileResult): void {
    this.tracker.finished(file);
    const line = fileLine(file, result);
    if (line !== null) this.write(line);
  }
}

/** `--json`: one object per line on stdout, a file's outcome as it happens, then the summary. */
export class JsonReporter implements Reporter {
  constructor(private readonly write: (line: string) => void) {}

  start(totals: { files: number; bytes: number }): void {
    this.write(JSON.stringify({ event: 'start', ...totals }));
  }

  progress(): void {
    // Scripts get outcomes, not a stream of progress.
  }

  file(file: ScannedFile, result: FileResult): void {
    this.write(JSON.stringify({ event: 'file', path: file.path, size: file.size, ...result }));
  }
}
