import type { Pinia } from 'pinia';
import { nextTick } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import type { RouteRecordRaw, Router } from 'vue-router';
import { redirectFor } from './routeAccess';
import { useSessionStore } from './stores/session';

/**
 * The Backup screen is a chunk of its own like every other screen, so the app shell is only what
 * all of them share; the service worker precaches it, so it opens offline too.
 */
const loadBackupView = () => import('./views/BackupView.vue');

declare module 'vue-router' {
  interface RouteMeta {
    /** The page's title (document title and heading). */
    title: string;
    /** Reachable without a session (first run and sign-in). */
    public?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'backup' } },
  {
    path: '/setup',
    name: 'setup',
    component: () => import('./views/SetupView.vue'),
    meta: { title: 'Create your account', public: true },
  },
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { title: 'Sign in', public: true },
  },
  { path: '/backup', name: 'backup', component: loadBackupView, meta: { title: 'Backup' } },
  {
    path: '/library/:id?',
    name: 'library',
    component: () => import('./views/LibraryView.vue'),
    meta: { title: 'Library' },
  },
  {
    path: '/trash',
    name: 'trash',
    component: () => import('./views/TrashView.vue'),
    meta: { title: 'Trash' },
  },
  {
    path: '/settings',
    name: 'settings',
    component: () => import('./views/SettingsView.vue'),
    meta: { title: 'Settings' },
  },
  { path: '/:unknown(.*)*', redirect: { name: 'backup' } },
];

export function createAppRouter(pinia: Pinia): Router {
  const router = createRouter({ history: createWebHistory(), routes });

  router.beforeEach(async (to) => {
    // The default screen loads while the session is asked for, not after (the router loads a
    // route's chunk once its guards have run).
    // A failure is the router's to report, when it loads the same chunk.
    if (to.name === 'backup') loadBackupView().catch(() => undefined);
    const session = useSessionStore(pinia);
    await session.ensureLoaded();
    return redirectFor(session, to) ?? true;
  });

  router.afterEach((to, from, failure) => {
    document.title = to.meta.title === 'Backup' ? 'Shoebox' : `${to.meta.title} · Shoebox`;
    // After a move to another screen inside the app (not the first load), focus goes to the new
    // screen as a page load would put it, so a keyboard or screen-reader user starts there and not
    // on the link they left.
    if (failure === undefined && from.matched.length > 0 && to.path !== from.path) {
      void nextTick(() => document.getElementById('main')?.focus({ preventScroll: true }));
    }
  });

  return router;
}
