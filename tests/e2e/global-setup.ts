// The end-to-end suites run against the built app and server (`npm test` builds first). When a
// suite is run on its own, build what is missing so the tests never run against a stale nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/corpus';

export default function setup(): void {
  const needed = ['dist/index.html', 'dist/sw.js', 'build/server/main.js'];
  if (needed.every((path) => existsSync(join(REPO_ROOT, path)))) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed; the end-to-end tests need the built app');
}
