// `npm start`: build the app and the server when the build is missing or older than the sources,
// then serve both from one process (SQLite and files under ./data unless configured otherwise).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outputs = ['dist/index.html', 'dist/sw.js', 'build/server/main.js'].map((p) => join(root, p));
const inputs = ['src', 'public', 'index.html', 'vite.config.ts', 'package-lock.json'].map((p) =>
  join(root, p),
);

/** @param {string} path @returns {number} */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (/** @type {number} */ newest, name) => Math.max(newest, newestMtime(join(path, name))),
    0,
  );
}

const builtAt = Math.min(...outputs.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)));
if (builtAt < Math.max(...inputs.map(newestMtime))) {
  console.log('Building Shoebox…');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawnSync(process.execPath, ['--enable-source-maps', join(root, 'build/server/main.js')], {
  cwd: process.cwd(),
  stdio: 'inherit',
});
process.exit(server.status ?? 1);
