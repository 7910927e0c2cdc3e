/**
 * The commands: `login`, `logout`, `upload`, `status`. Each answers the exit code (errors.ts);
 * a CliError thrown from here is printed as its sentence by main.ts.
 */
import os from 'node:os';
import { read } from 'read';
import type { ConfigResponse, TokenScope, User } from '../shared/api';
import { formatBytes, formatMegapixels } from '../shared/limits';
import { addToAlbum, findAlbum, type AlbumTarget } from './album';
import { HttpError, ServerApi } from './api';
import { backup, type BackupRun, type Reporter } from './backup';
import {
  credentialsFile,
  deleteCredentials,
  readCredentials,
  serverOrigin,
  stateFile,
  writeCredentials,
  type Credentials,
} from './credentials';
import { CliError, EXIT } from './errors';
import { JsonReporter, PlainReporter, TerminalReporter, summaryText } from './report';
import { scan } from './scan';
import { StateDb } from './state';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadStream;
  /** Whether stderr is a terminal (the progress bar) and stdin one (prompts). */
  interactive: { stderr: boolean; stdin: boolean };
  /** Ctrl-C and SIGTERM: the run stops cleanly. */
  signal: AbortSignal;
}

const accountOf = (origin: string, user: User): string => `${origin} ${user.id}`;

async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

/** The signed-in server, checked: its config and who the token belongs to. */
async function connect(): Promise<{
  api: ServerApi;
  credentials: Credentials;
  config: ConfigResponse;
  user: User;
}> {
  const credentials = await readCredentials();
  if (credentials === null) {
    throw new CliError(
      'auth',
      'Not signed in. Run `shoebox login URL` (or set SHOEBOX_URL and SHOEBOX_TOKEN).',
    );
  }
  const hint =
    credentials.source === 'environment'
      ? 'Set SHOEBOX_TOKEN to a token from Settings → API tokens.'
      : `Sign in again with \`shoebox login ${credentials.url}\`.`;
  const api = new ServerApi(credentials.url, { token: credentials.token }, hint);
  const [config, user] = await Promise.all([api.config(), api.me()]);
  return { api, credentials, config, user };
}

export interface LoginOptions {
  email?: string;
  passwordStdin?: boolean;
  tokenStdin?: boolean;
  scope: TokenScope;
}

export async function login(url: string, options: LoginOptions, io: Io): Promise<number> {
  const origin = serverOrigin(url);
  const anonymous = new ServerApi(origin, null);
  let config: ConfigResponse;
  try {
    config = await anonymous.config();
  } catch (error) {
    if (error instanceof HttpError) {
      throw new CliError(
        'usage',
        `${origin} does not look like a Shoebox server (it answered ${error.status} at /api/config).`,
      );
    }
    throw error;
  }
  if (config.setupRequired) {
    throw new CliError(
      'auth',
      `${origin} has no account yet: open it in a browser and create the owner account first.`,
    );
  }

  let token: string;
  let tokenId: string | null = null;
  if (options.tokenStdin === true) {
    token = (await readStdin(io.stdin)).trim();
    if (token === '') throw new CliError('usage', 'No token came on standard input.');
  } else {
    const email =
      options.email ??
      (io.interactive.stdin ? (await read({ prompt: 'Email: ', output: process.stderr })).trim() : '');
    if (email === '') throw new CliError('usage', 'Give the account’s email with --email.');
    let password: string;
    if (options.passwordStdin === true) password = await readStdin(io.stdin);
    else if (io.interactive.stdin)
      password = await read({ prompt: 'Password: ', silent: true, replace: '•', output: process.stderr });
    else
      throw new CliError(
        'usage',
        'No terminal to ask for the password: use --password-stdin, or --token-stdin with a token.',
      );

    const signIn = await anonymous
      .request('POST', '/api/auth/login', { body: { email, password } })
      .catch((error: unknown) => {
        if (error instanceof HttpError && (error.status === 401 || error.status === 429)) {
          throw new CliError('auth', error.message);
        }
        throw error;
      });
    const cookie = signIn.headers
      .getSetCookie()
      .map((line) => line.split(';')[0] ?? '')
      .find((pair) => pair.startsWith('shoebox_session='));
    if (cookie === undefined)
      throw new CliError('failed', `${origin} signed in without a session. Is it a Shoebox server?`);
    const session = new ServerApi(origin, { cookie });
    try {
      const created = await session.createToken(
        `shoebox CLI on ${os.hostname()}`.slice(0, 100),
        options.scope,
      );
      token = created.token;
      tokenId = created.id;
    } finally {
      // The session was only for making the token: end it.
      await session.request('POST', '/api/auth/logout');
    }
  }

  const user = await new ServerApi(origin, { token }, 'Check the token and sign in again.').me();
  await writeCredentials({ url: origin, token, tokenId });
  io.err(
    `Signed in to ${origin} as ${user.name} (${user.email}). The token is kept in ${credentialsFile()}, readable by you only.`,
  );
  return EXIT.ok;
}

export async function logout(io: Io): Promise<number> {
  const credentials = await readCredentials({});
  if (credentials === null) {
    io.err('Not signed in.');
    return EXIT.ok;
  }
  let revoked = false;
  if (credentials.tokenId !== null) {
    try {
      await new ServerApi(credentials.url, { token: credentials.token }).request(
        'DELETE',
        `/api/tokens/${encodeURIComponent(credentials.tokenId)}`,
      );
      revoked = true;
    } catch (error) {
      if (!(error instanceof CliError || error instanceof HttpError)) throw error;
      io.err(`The token could not be revoked (${error.message}) Revoke it in Settings → API tokens.`);
    }
  }
  await deleteCredentials();
  io.err(`Signed out of ${credentials.url}${revoked ? '; the token was revoked' : ''}.`);
  return EXIT.ok;
}

export interface UploadOptions {
  include: string[];
  exclude: string[];
  album?: string;
  concurrency: number;
  dryRun: boolean;
  json: boolean;
}

export async function upload(paths: string[], options: UploadOptions, io: Io): Promise<number> {
  const { api, config, user } = await connect();
  const album: AlbumTarget | null = options.album === undefined ? null : await findAlbum(api, options.album);
  const files = await scan(paths, { include: options.include, exclude: options.exclude });

  const terminal = !options.json && io.interactive.stderr ? new TerminalReporter() : null;
  const reporter: Reporter =
    terminal ?? (options.json ? new JsonReporter(io.out) : new PlainReporter(io.out));
  const state = StateDb.open(stateFile());
  let run: BackupRun;
  try {
    run = await backup(
      files,
      { api, config, account: accountOf(api.origin, user), state, reporter },
      { concurrency: options.concurrency, dryRun: options.dryRun, signal: io.signal },
    );
  } finally {
    terminal?.stop();
    state.close();
  }
  const { summary, error, interrupted } = run;

  let albumNote: string | null = null;
  if (album !== null && error === null && !interrupted) {
    if (options.dryRun) {
      albumNote = `They would go in the album “${album.name}”${album.kind === 'new' ? ' (a new album)' : ''}.`;
    } else if (summary.assetIds.length > 0) {
      const added = await addToAlbum(api, album, summary.assetIds);
      albumNote = `${added.toLocaleString('en-US')} in the album “${album.name}”.`;
    }
  }

  const exitCode =
    error !== null
      ? error.exitCode
      : interrupted
        ? EXIT.interrupted
        : summary.failed.length > 0
          ? EXIT.failed
          : EXIT.ok;
  if (options.json) {
    const { assetIds: _ids, ...rest } = summary;
    io.out(
      JSON.stringify({
        event: 'summary',
        ...rest,
        ...(album === null ? {} : { album: album.name }),
        interrupted,
        error: error === null ? null : error.message,
        exitCode,
      }),
    );
  } else {
    io.out(summaryText(summary, error === null && !interrupted ? 'done' : 'stopped'));
    if (albumNote !== null) io.out(albumNote);
  }
  if (error !== null) io.err(error.message);
  return exitCode;
}

export async function status(options: { json: boolean }, io: Io): Promise<number> {
  const { api, credentials, config, user } = await connect();
  const state = StateDb.open(stateFile());
  let counts;
  try {
    counts = state.counts(accountOf(api.origin, user));
  } finally {
    state.close();
  }
  if (options.json) {
    io.out(
      JSON.stringify({
        server: api.origin,
        user: { id: user.id, email: user.email, name: user.name },
        credentials: credentials.source === 'file' ? credentialsFile() : 'environment',
        limits: config.limits,
        local: { backedUp: counts.done, unfinishedUploads: counts.uploading, refused: counts.refused },
        stateFile: stateFile(),
      }),
    );
    return EXIT.ok;
  }
  const { limits } = config;
  const from = credentials.source === 'file' ? credentialsFile() : 'SHOEBOX_URL and SHOEBOX_TOKEN';
  io.out(`Signed in to ${api.origin} as ${user.name} (${user.email}), with the token from ${from}.`);
  io.out(
    `The server takes photos up to ${formatBytes(limits.maxPhotoBytes)} and ${formatMegapixels(limits.maxPhotoPixels)}, videos up to ${formatBytes(limits.maxVideoBytes)}.`,
  );
  io.out(
    `From this computer: ${counts.done.toLocaleString('en-US')} photos and videos backed up to this account, ` +
      `${counts.uploading.toLocaleString('en-US')} uploads unfinished (\`shoebox upload\` resumes them), ` +
      `${counts.refused.toLocaleString('en-US')} refused by the server.`,
  );
  io.out(`What this computer remembers is in ${stateFile()}.`);
  return EXIT.ok;
}
