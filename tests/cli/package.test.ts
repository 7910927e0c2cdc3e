/**
 * Issue 20: `npx shoebox` from a clone and from the published package. The package's `bin` is the
 * built CLI (build/cli/shoebox.js, made by `npm run build`, and by `prepare` at `npm ci` and
 * before `npm pack`); npm packs it although build/ is git-ignored, and it runs with the production
 * dependencies alone, as `npm install shoebox` would lay them out.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, symlink, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/corpus';
import { CLI } from './helpers';

interface PackageJson {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
}

const packageJson = async (): Promise<PackageJson> =>
  JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;

describe('the shoebox command', () => {
  it('is the package’s bin, packed by npm, and answers through npx in a clone', async () => {
    const pkg = await packageJson();
    expect(pkg.bin).toEqual({ shoebox: 'build/cli/shoebox.js' });
    expect((await readFile(CLI, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);

    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(packed.status).toBe(0);
    const [{ files }] = JSON.parse(packed.stdout) as [{ files: { path: string }[] }];
    expect(files.map((file) => file.path)).toContain('build/cli/shoebox.js');

    const npx = spawnSync('npx', ['--no-install', 'shoebox', '--version'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(npx.stderr).toBe('');
    expect(npx.stdout.trim()).toBe(pkg.version);
  });

  it('runs with the production dependencies only', async () => {
    const pkg = await packageJson();
    // What the bundle imports from packages (node: built-ins aside) must be dependencies.
    const source = await readFile(CLI, 'utf8');
    const imported = new Set(
      [...source.matchAll(/^import .* from "([^"]+)";$/gm)]
        .map((match) => match[1] ?? '')
        .filter((specifier) => !specifier.startsWith('node:'))
        .map((specifier) =>
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    );
    expect(imported.size).toBeGreaterThan(0);
    for (const name of imported) expect(Object.keys(pkg.dependencies), name).toContain(name);

    // An installed copy: the bin beside a node_modules holding only what package-lock.json marks
    // as needed in production (dev-only packages left out).
    const lock = JSON.parse(await readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const root = await mkdtemp(path.join(os.tmpdir(), 'shoebox-installed-'));
    await mkdir(path.join(root, 'build/cli'), { recursive: true });
    await copyFile(CLI, path.join(root, 'build/cli/shoebox.js'));
    await copyFile(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
    for (const [location, entry] of Object.entries(lock.packages)) {
      const top = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(location);
      if (top === null || entry.dev === true) continue;
      const name = top[1] ?? '';
      await mkdir(path.dirname(path.join(root, 'node_modules', name)), { recursive: true });
      await symlink(path.join(REPO_ROOT, 'node_modules', name), path.join(root, 'node_modules', name));
    }
    // --preserve-symlinks: each package finds its own dependencies in this node_modules too.
    const run = spawnSync(
      process.execPath,
      ['--preserve-symlinks', path.join(root, 'build/cli/shoebox.js'), 'upload', '--help'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: shoebox upload [options] <path...>');
  });
});

describe('a wrong command line', () => {
  it('ends with exit code 2, saying what is wrong and how the command is used', () => {
    const cases: [string[], string][] = [
      [['frobnicate'], "error: unknown command 'frobnicate'"],
      [['upload'], "error: missing required argument 'path'"],
      [
        ['upload', '--concurrency', '0', '.'],
        "error: option '--concurrency <n>' argument '0' is invalid. Give a whole number from 1 to 64.",
      ],
      [['upload', '--fast', '.'], "error: unknown option '--fast'"],
    ];
    for (const [args, message] of cases) {
      const run = spawnSync(process.execPath, [CLI, ...args], { cwd: os.tmpdir(), encoding: 'utf8' });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('Usage: shoebox');
      expect(run.stdout).toBe('');
    }
  });
});
