/**
 * `shoebox`: back up folders of photos and videos to a Shoebox server from a terminal, a cron job
 * or a NAS, exactly once and resumably (issue 20). Built into build/cli/shoebox.js, the package's
 * `bin`; see the README's "Command line" section.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { version } from '../../package.json';
import { TOKEN_SCOPES, type TokenScope } from '../shared/api';
import { login, logout, status, upload, type Io } from './commands';
import { CliError, EXIT } from './errors';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 64) {
    throw new InvalidArgumentError('Give a whole number from 1 to 64.');
  }
  return parsed;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function program(io: Io, setExitCode: (code: number) => void): Command {
  const run =
    <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<void> => {
      setExitCode(await action(...args));
    };

  const shoebox = new Command('shoebox')
    .description(
      'Back up photos and videos to your Shoebox server, each file once, resuming where it stopped.',
    )
    .version(version)
    .showHelpAfterError()
    .exitOverride();

  shoebox
    .command('login')
    .description('Sign in to a Shoebox server and keep an API token for this computer')
    .argument('<url>', 'the server, e.g. https://photos.example.com')
    .option('--email <email>', 'the account’s email (asked when not given)')
    .option('--password-stdin', 'read the password from standard input instead of asking')
    .option('--token-stdin', 'use an API token made in Settings → API tokens, read from standard input')
    .addOption(
      new Option('--scope <scope>', 'what the token made at sign-in may do: full, or upload only (no albums)')
        .choices(TOKEN_SCOPES.filter((scope) => scope !== 'read'))
        .default('full'),
    )
    .action(
      run(
        (
          url: string,
          options: { email?: string; passwordStdin?: boolean; tokenStdin?: boolean; scope: TokenScope },
        ) => login(url, options, io),
      ),
    );

  shoebox
    .command('logout')
    .description('Revoke the token this computer keeps and forget it')
    .action(run(() => logout(io)));

  shoebox
    .command('upload')
    .description('Back up files and folders (recursively); what is already backed up is not sent again')
    .argument('<path...>', 'files and folders')
    .option(
      '--include <glob>',
      'only files matching this glob (repeatable; `*.jpg` matches at any depth, any case)',
      collect,
    )
    .option('--exclude <glob>', 'leave out files and folders matching this glob (repeatable)', collect)
    .option('--album <name>', 'put the photos in this album (made if needed)')
    .option('--concurrency <n>', 'files uploaded at once', positiveInteger, 4)
    .option('--dry-run', 'hash and check, but upload nothing: say what would be sent')
    .option('--json', 'one JSON object per line on standard output, for scripts')
    .action(
      run(
        (
          paths: string[],
          options: {
            include?: string[];
            exclude?: string[];
            album?: string;
            concurrency: number;
            dryRun?: boolean;
            json?: boolean;
          },
        ) =>
          upload(
            paths,
            {
              include: options.include ?? [],
              exclude: options.exclude ?? [],
              ...(options.album === undefined ? {} : { album: options.album }),
              concurrency: options.concurrency,
              dryRun: options.dryRun === true,
              json: options.json === true,
            },
            io,
          ),
      ),
    );

  shoebox
    .command('status')
    .description('Who you are signed in as, the server’s limits, and what this computer has backed up')
    .option('--json', 'as JSON')
    .action(run((options: { json?: boolean }) => status({ json: options.json === true }, io)));

  return shoebox;
}

async function main(): Promise<void> {
  process.setSourceMapsEnabled(true);
  const stopper = new AbortController();
  let stops = 0;
  const onStop = (): void => {
    stops += 1;
    // A second Ctrl-C quits at once; the state file has every finished step already.
    if (stops > 1) process.exit(EXIT.interrupted);
    process.stderr.write('\nStopping… (Ctrl-C again to quit at once)\n');
    stopper.abort();
  };
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);

  const io: Io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    stdin: process.stdin,
    interactive: { stderr: process.stderr.isTTY, stdin: process.stdin.isTTY },
    signal: stopper.signal,
  };
  let exitCode: number = EXIT.ok;
  try {
    await program(io, (code) => (exitCode = code)).parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with code 0; a wrong command line is a usage error.
      exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (error instanceof CliError) {
      io.err(error.message);
      exitCode = error.exitCode;
    } else {
      io.err('Shoebox stopped on an unexpected error (a bug; please report it with what follows):');
      io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
      exitCode = EXIT.failed;
    }
  }
  process.exitCode = exitCode;
  process.off('SIGINT', onStop);
  process.off('SIGTERM', onStop);
}

await main();
