/**
 * How a run ends, as the exit code scripts read (the README lists them), and the one error type
 * that carries a sentence for the user. Anything else thrown is a bug and is printed with its stack.
 */
export const EXIT = {
  /** Every file is backed up, was already there, or was skipped for a reason given. */
  ok: 0,
  /** Some files could not be backed up (the server or the network failed); run again to retry. */
  failed: 1,
  /** The command was wrong: an unknown option, a path that does not exist. */
  usage: 2,
  /** Not signed in, or the server refused the token (revoked, expired, not allowed). */
  auth: 3,
  /** Stopped by Ctrl-C (128 + SIGINT); unfinished uploads resume at the next run. */
  interrupted: 130,
} as const;

export type ExitReason = keyof typeof EXIT;

/** A failure the user can act on: `message` is the sentence shown, `reason` picks the exit code. */
export class CliError extends Error {
  constructor(
    readonly reason: Exclude<ExitReason, 'ok' | 'interrupted'>,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }

  get exitCode(): number {
    return EXIT[this.reason];
  }
}
