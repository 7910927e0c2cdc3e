import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './corpus';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), 0);
}

/**
 * Builds the server bundle (build/server/main.js, what `npm start` runs) when it is missing or
 * older than its sources, so that a suite run on its own never tests a stale build.
 */
export function ensureServerBuilt(): string {
  const output = join(REPO_ROOT, 'build/server/main.js');
  const inputs = ['src/server', 'src/shared', 'package-lock.json'].map((path) => join(REPO_ROOT, path));
  const builtAt = existsSync(output) ? statSync(output).mtimeMs : 0;
  if (builtAt < Math.max(...inputs.map(newestMtime))) {
    const build = spawnSync('npm', ['run', 'build:server'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build:server failed');
  }
  return output;
}

/**
 * Builds the CLI (build/cli/shoebox.js, the package's `bin`) when it is missing or older than its
 * sources, so the CLI suites always run what `npx shoebox` runs.
 */
export function ensureCliBuilt(): string {
  const output = join(REPO_ROOT, 'build/cli/shoebox.js');
  const inputs = ['src/cli', 'src/shared', 'src/media', 'package.json', 'package-lock.json'].map((path) =>
    join(REPO_ROOT, path),
  );
  const builtAt = existsSync(output) ? statSync(output).mtimeMs : 0;
  if (builtAt < Math.max(...inputs.map(newestMtime))) {
    const build = spawnSync('npm', ['run', 'build:cli'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build:cli failed');
  }
  return output;
}
