import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import { VitePWA } from 'vite-plugin-pwa';
import {
  LIBRARY_FIRST_REQUESTS,
  LIBRARY_FIRST_THUMBS,
  SESSION_REQUESTS,
  startEarly,
  thumbPath,
  type EarlyPlan,
  type EarlyThumbs,
} from './src/app/earlyStart.ts';
import { IMAGE_COMPRESSION_LIB_FILE } from './src/media/imageCompressionLib.ts';
import { SHARE_ACCEPT, SHARE_FILES_FIELD, SHARE_TARGET_ACTION } from './src/shared/shareTarget.ts';

/** The CDN default in browser-image-compression 2.0.2 that the build replaces with our copy. */
const IMAGE_COMPRESSION_CDN_URL =
  'https://cdn.jsdelivr.net/npm/browser-image-compression@2.0.2/dist/browser-image-compression.js';

const THEME_COLOUR = '#1f6f5c';
const apiPort = process.env.SHOEBOX_API_PORT ?? '8081';

/**
 * Serves browser-image-compression's UMD build from the app itself (DESIGN §3: its library served
 * through `libURL`, never a CDN) and replaces the library's built-in jsdelivr default with that
 * copy, so no CDN address is left in the build. Each build that bundles the library (the page,
 * the prepare worker, the service worker) needs its own instance; only the page's emits the file.
 */
export function localImageCompressionLib({ emit }: { emit: boolean }): Plugin {
  let base = '/';
  const patched = (): string => {
    const path = createRequire(import.meta.url).resolve(
      'browser-image-compression/dist/browser-image-compression.js',
    );
    return readFileSync(path, 'utf8').replaceAll(
      IMAGE_COMPRESSION_CDN_URL,
      `${base}${IMAGE_COMPRESSION_LIB_FILE}`,
    );
  };
  return {
    name: 'shoebox:local-image-compression-lib',
    configResolved(config) {
      base = config.base;
    },
    transform(code, id) {
      if (
        !id.includes('/node_modules/browser-image-compression/') ||
        !code.includes(IMAGE_COMPRESSION_CDN_URL)
      ) {
        return null;
      }
      return {
        code: code.replaceAll(IMAGE_COMPRESSION_CDN_URL, `${base}${IMAGE_COMPRESSION_LIB_FILE}`),
        map: null,
      };
    },
    generateBundle() {
      if (emit) this.emitFile({ type: 'asset', fileName: IMAGE_COMPRESSION_LIB_FILE, source: patched() });
    },
    configureServer(server) {
      server.middlewares.use(`/${IMAGE_COMPRESSION_LIB_FILE}`, (_request, response) => {
        response.setHeader('Content-Type', 'text/javascript');
        response.end(patched());
      });
    },
  };
}

/** Text files (and wasm) worth compressing; PNG images are compressed already. */
const COMPRESSIBLE = /\.(js|css|html|svg|webmanifest|json|wasm)$/;

/**
 * Writes a Brotli (`.br`) and a gzip (`.gz`) copy next to each text file of the build, made once
 * at the highest levels, which the server sends to browsers that accept them (@fastify/static's
 * `preCompressed`, src/server/static.ts). The precache glob does not match them.
 */
function precompress(): Plugin {
  return {
    name: 'shoebox:precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const [fileName, output] of Object.entries(bundle)) {
        if (!COMPRESSIBLE.test(fileName)) continue;
        const source = output.type === 'chunk' ? output.code : output.source;
        const bytes = typeof source === 'string' ? Buffer.from(source) : Buffer.from(source);
        if (bytes.length < 1024) continue;
        const path = join(dir, fileName);
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

/** Each screen's address, its view (the route's chunk) and the API requests it makes first. */
const EARLY_SCREENS: { path: string; view: string; requests: string[]; thumbs?: EarlyThumbs }[] = [
  { path: '/', view: 'src/app/views/BackupView.vue', requests: [] },
  { path: '/backup', view: 'src/app/views/BackupView.vue', requests: [] },
  {
    path: '/library',
    view: 'src/app/views/LibraryView.vue',
    requests: LIBRARY_FIRST_REQUESTS,
    thumbs: LIBRARY_FIRST_THUMBS,
  },
  { path: '/trash', view: 'src/app/views/TrashView.vue', requests: [] },
  { path: '/settings', view: 'src/app/views/SettingsView.vue', requests: [] },
  { path: '/users', view: 'src/app/views/UsersView.vue', requests: [] },
  { path: '/login', view: 'src/app/views/LoginView.vue', requests: [] },
  { path: '/setup', view: 'src/app/views/SetupView.vue', requests: [] },
];

/**
 * Puts src/app/earlyStart.ts inline at the top of the built index.html, with the build's plan:
 * each screen's chunk with the chunks and styles it imports (not the app shell's, which index.html
 * loads anyway), the API requests the app makes first and Library's first previews (issue 5: the
 * first screen no longer waits for the app's script before its code and data are even asked for).
 */
function earlyStartScript(): Plugin {
  let base = '/';
  return {
    name: 'shoebox:early-start',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle }) {
        if (bundle === undefined) return [];
        const chunks = Object.values(bundle).filter((output) => output.type === 'chunk');
        const screens = EARLY_SCREENS.map(({ path, view, requests, thumbs }) => {
          const chunk = chunks.find((candidate) => candidate.facadeModuleId?.endsWith(`/${view}`));
          if (chunk === undefined) throw new Error(`shoebox:early-start: no chunk for ${view}`);
          const modules = new Set<string>();
          const styles = new Set<string>();
          const visit = (fileName: string): void => {
            const found = chunks.find((candidate) => candidate.fileName === fileName);
            if (found === undefined || found.isEntry || modules.has(fileName)) return;
            modules.add(fileName);
            for (const css of found.viteMetadata?.importedCss ?? []) styles.add(css);
            found.imports.forEach(visit);
          };
          visit(chunk.fileName);
          return {
            path,
            modules: [...modules].map((file) => `${base}${file}`),
            styles: [...styles].map((file) => `${base}${file}`),
            requests,
            ...(thumbs === undefined ? {} : { thumbs }),
          };
        });
        const plan: EarlyPlan = { screens, requests: SESSION_REQUESTS };
        return [
          {
            tag: 'script',
            children: `(${startEarly.toString()})(${JSON.stringify(plan)}, ${thumbPath.toString()});`,
            injectTo: 'head-prepend',
          },
        ];
      },
    },
  };
}

export default defineConfig({
  // The prepare pool's workers are module workers (src/media/pool.ts), so their bundles are ES
  // modules too; Vite's default 'iife' cannot hold code-split chunks.
  worker: {
    format: 'es',
    plugins: () => [localImageCompressionLib({ emit: false })],
  },
  plugins: [
    vue(),
    localImageCompressionLib({ emit: true }),
    earlyStartScript(),
    precompress(),
    VitePWA({
      // Our own TypeScript service worker (src/sw/sw.ts); the plugin only injects the precache list.
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      // src/app/registerSW.ts registers through workbox-window, so no script is injected.
      injectRegister: false,
      // The glob below already precaches every icon; listing them again would duplicate entries.
      includeManifestIcons: false,
      manifest: {
        // The app's identity for the browser, fixed even if start_url changes later.
        id: '/',
        name: 'Shoebox',
        short_name: 'Shoebox',
        description: 'Back up photos and videos from this device to a server you own.',
        categories: ['photo', 'productivity', 'utilities'],
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: THEME_COLOUR,
        background_color: '#ffffff',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        // The install dialog's pictures (Chromium's richer install UI); made by scripts/make-screenshots.ts.
        screenshots: [
          {
            src: '/screenshots/library-wide.png',
            sizes: '1280x800',
            type: 'image/png',
            form_factor: 'wide',
            label: 'The library: backed-up photos by day',
          },
          {
            src: '/screenshots/library-narrow.png',
            sizes: '390x844',
            type: 'image/png',
            form_factor: 'narrow',
            label: 'The library on a phone',
          },
        ],
        // "Share → Shoebox" from the gallery (https://w3c.github.io/web-share-target/): the service
        // worker answers the POST itself (src/sw/shareTarget.ts), so sharing works offline.
        share_target: {
          action: SHARE_TARGET_ACTION,
          method: 'POST',
          enctype: 'multipart/form-data',
          params: {
            title: 'title',
            text: 'text',
            files: [{ name: SHARE_FILES_FIELD, accept: SHARE_ACCEPT }],
          },
        },
      },
      injectManifest: {
        // manifest.webmanifest is not globbed: the plugin adds its own entry for it, and a second
        // one would duplicate it in the precache list.
        globPatterns: ['**/*.{js,css,html,svg,png,wasm}'],
        // Screenshots are for the browser's install dialog, never shown by the app offline.
        globIgnores: ['screenshots/**'],
        // A classic script: every browser runs it (module service workers are newer), and the
        // plugin's 'es' build sets an option Vite 8 reports as deprecated.
        rollupFormat: 'iife',
        // The service worker's drain prepares files inline (src/queue/prepare.ts), so its build
        // bundles browser-image-compression too.
        buildPlugins: { vite: [localImageCompressionLib({ emit: false })] },
      },
    }),
  ],
  build: {
    rolldownOptions: {
      // Rolldown warns when plugin callbacks take long, which on a busy machine they always may:
      // precompress() and the service worker's own build run in closeBundle by design. It reports
      // the machine's load, not a fault of the build, and would make "warning-free" a coin toss.
      checks: { bundlerTimings: false },
    },
  },
  server: {
    proxy: {
      '/api': { target: `http://127.0.0.1:${apiPort}`, ws: false },
    },
  },
});
