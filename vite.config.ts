import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { VitePWA } from 'vite-plugin-pwa';

const THEME_COLOUR = '#1f6f5c';
const apiPort = process.env.SHOEBOX_API_PORT ?? '8081';

export default defineConfig({
  plugins: [
    vue(),
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
        name: 'Shoebox',
        short_name: 'Shoebox',
        description: 'Back up photos and videos from this device to a server you own.',
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
      },
      injectManifest: {
        // manifest.webmanifest is not globbed: the plugin adds its own entry for it, and a second
        // one would duplicate it in the precache list.
        globPatterns: ['**/*.{js,css,html,svg,png,wasm}'],
        // A classic script: every browser runs it (module service workers are newer), and the
        // plugin's 'es' build sets an option Vite 8 reports as deprecated.
        rollupFormat: 'iife',
      },
    }),
  ],
  server: {
    proxy: {
      '/api': { target: `http://127.0.0.1:${apiPort}`, ws: false },
    },
  },
});
