/**
 * Where the CLI keeps its sign-in and its state: the user's config and data directories
 * (XDG on Linux, ~/Library on macOS, %APPDATA% on Windows, through env-paths). The token file is
 * readable by its owner only (mode 600, in a folder of mode 700), as ssh and the cloud CLIs keep
 * theirs; `SHOEBOX_URL` and `SHOEBOX_TOKEN` stand in for it (cron jobs, CI, containers).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';
import { CliError } from './errors';

export interface Credentials {
  /** The server's origin, `https://photos.example.com`. */
  url: string;
  token: string;
  /** The token's id on the server (to revoke it at `shoebox logout`), when the CLI made it. */
  tokenId: string | null;
  /** Where they came from, for `shoebox status`. */
  source: 'environment' | 'file';
}

/** Read when asked, not at import: the environment (XDG_CONFIG_HOME…) may be set after loading. */
const paths = (): { config: string; data: string } => envPaths('shoebox', { suffix: '' });

export const credentialsFile = (): string => path.join(paths().config, 'credentials.json');
export const stateFile = (): string => path.join(paths().data, 'state.sqlite');

/**
 * A server address as the CLI keeps it: its origin. The API lives at `/api` of the origin (the app
 * is served from `/`), so a path the user pasted (`…/library`) is dropped; no scheme means https.
 */
export function serverOrigin(input: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError('usage', `"${input}" is not a server address. Give it as https://photos.example.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError(
      'usage',
      `"${input}" is not a web address: use https:// (or http:// on your own network).`,
    );
  }
  return url.origin;
}

interface StoredCredentials {
  url: string;
  token: string;
  tokenId: string | null;
}

function isStored(value: unknown): value is StoredCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const { url, token, tokenId } = value as Record<string, unknown>;
  return (
    typeof url === 'string' && typeof token === 'string' && (tokenId === null || typeof tokenId === 'string')
  );
}

/** The credentials to use: the environment's when set, else the file's, else null (not signed in). */
export async function readCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Credentials | null> {
  const url = env.SHOEBOX_URL?.trim() ?? '';
  const token = env.SHOEBOX_TOKEN?.trim() ?? '';
  if (url !== '' || token !== '') {
    if (url === '' || token === '') {
      throw new CliError('usage', 'Set both SHOEBOX_URL and SHOEBOX_TOKEN, or neither.');
    }
    return { url: serverOrigin(url), token, tokenId: null, source: 'environment' };
  }
  const file = credentialsFile();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!isStored(parsed)) {
    throw new CliError('auth', `${file} is damaged. Sign in again with \`shoebox login URL\`.`);
  }
  return { ...parsed, source: 'file' };
}

/** Writes the token file, readable by the user only, replacing the old one in one step. */
export async function writeCredentials(credentials: StoredCredentials): Promise<void> {
  const file = credentialsFile();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const stored: StoredCredentials = {
    url: credentials.url,
    token: credentials.token,
    tokenId: credentials.tokenId,
  };
  // `mode` applies only when the file is created; chmod covers an umask that took bits away.
  await writeFile(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

export async function deleteCredentials(): Promise<void> {
  await rm(credentialsFile(), { force: true });
}
