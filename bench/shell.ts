/**
 * Issue 5 benchmark: the initial JavaScript of the app shell, gzipped, against a bare Vue 3 +
 * pinia app (one store, one component) built in the same run with the same Vite, minifier and
 * Vue plugin. "Initial" is what index.html loads before anything else: its module scripts and
 * the modulepreload links Vite adds for their static imports; chunks loaded by a dynamic import
 * later (other routes, the drain) do not count. Each file is gzipped on its own at level 9, as a
 * server would send it. Prints both figures and the ratio (target ≤ 2×). Asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import vue from '@vitejs/plugin-vue';
import { build } from 'vite';

const ROOT = resolve(import.meta.dirname, '..');
const TARGET_RATIO = 2;

const BARE_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>Bare</title></head>
  <body><div id="app"></div><script type="module" src="/main.ts"></script></body>
</html>
`;

const BARE_MAIN = `import { createPinia, defineStore } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';

export const useCounter = defineStore('counter', {
  state: () => ({ count: 0 }),
  actions: {
    increment() {
      this.count += 1;
    },
  },
});

createApp(App).use(createPinia()).mount('#app');
`;

const BARE_APP = `<script setup lang="ts">
import { useCounter } from './main';
const counter = useCounter();
</script>

<template>
  <button type="button" @click="counter.increment()">Clicked {{ counter.count }} times</button>
</template>
`;

interface InitialJs {
  files: { name: string; bytes: number; gzipped: number }[];
  gzipped: number;
}

/** The scripts index.html loads at once: module scripts plus modulepreload links. */
function initialJs(outDir: string): InitialJs {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const sources = new Set<string>();
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const isScript = tag.startsWith('<script') && /type="module"/.test(tag);
    const isPreload = tag.startsWith('<link') && /rel="modulepreload"/.test(tag);
    const address = /(?:src|href)="([^"]+)"/.exec(tag)?.[1];
    if ((isScript || isPreload) && address !== undefined) sources.add(address);
  }
  if (sources.size === 0) throw new Error(`${outDir}/index.html loads no module script`);
  const files = [...sources].map((address) => {
    const bytes = readFileSync(join(outDir, address.replace(/^\//, '')));
    return { name: address, bytes: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
  });
  return { files, gzipped: files.reduce((sum, file) => sum + file.gzipped, 0) };
}

const BACKUP_VIEW = 'src/app/views/BackupView.vue';

type ViteManifest = Record<string, { file: string; imports?: string[] }>;

/** Gzipped bytes of a lazy route's chunk and its static imports that the shell does not load. */
function routeJs(outDir: string, source: string, shell: InitialJs): number {
  const manifest = JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')) as ViteManifest;
  const loaded = new Set(shell.files.map((file) => file.name.replace(/^\//, '')));
  let total = 0;
  const visit = (key: string): void => {
    const entry = manifest[key];
    if (entry === undefined || loaded.has(entry.file)) return;
    loaded.add(entry.file);
    total += gzipSync(readFileSync(join(outDir, entry.file)), { level: 9 }).length;
    entry.imports?.forEach(visit);
  };
  visit(source);
  if (total === 0) throw new Error(`${source} has no chunk of its own in ${outDir}`);
  return total;
}

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

function print(label: string, measure: InitialJs): void {
  console.log(`${label}: ${kb(measure.gzipped)} gzipped initial JS`);
  for (const file of measure.files) {
    console.log(`  ${file.name}: ${kb(file.bytes)}, gzipped ${kb(file.gzipped)}`);
  }
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shoebox-bench-shell-'));
  try {
    // The bare app, in a directory of its own that resolves vue and pinia from this project.
    const bare = join(dir, 'bare');
    await mkdir(bare);
    await symlink(join(ROOT, 'node_modules'), join(bare, 'node_modules'), 'dir');
    await writeFile(join(bare, 'index.html'), BARE_HTML);
    await writeFile(join(bare, 'main.ts'), BARE_MAIN);
    await writeFile(join(bare, 'App.vue'), BARE_APP);
    await build({
      root: bare,
      configFile: false,
      logLevel: 'error',
      plugins: [vue()],
      build: { outDir: join(bare, 'dist') },
    });

    // Shoebox as `npm run build` makes it (its own config), into the temporary directory.
    const shoeboxOut = join(dir, 'shoebox');
    await build({
      root: ROOT,
      configFile: join(ROOT, 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir: shoeboxOut, emptyOutDir: true, manifest: true },
    });

    const bareJs = initialJs(join(bare, 'dist'));
    const shoeboxJs = initialJs(shoeboxOut);
    print('bare Vue 3 + pinia', bareJs);
    print('Shoebox app shell', shoeboxJs);
    const ratio = shoeboxJs.gzipped / bareJs.gzipped;
    console.log(`ratio Shoebox / bare: ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×)`);
    const backup = routeJs(shoeboxOut, BACKUP_VIEW, shoeboxJs);
    console.log(
      `the Backup screen's own chunks, loaded right after the shell: ${kb(backup)} gzipped (shell + Backup ${kb(shoeboxJs.gzipped + backup)})`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
