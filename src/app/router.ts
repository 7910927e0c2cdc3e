import type { Pinia } from 'pinia';
import { nextTick } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import type { RouteRecordRaw, Router } from 'vue-router';
import { startEarly } from './earlyFetch';
import { LIBRARY_FIRST_REQUESTS } from './earlyStart';
import { redirectFor } from './routeAccess';
import { useSessionStore } from './stores/session';

/**
 * Every screen, the Backup screen included, is a chunk of its own, so the app shell is only what
 * all of them share; the service worker precaches them, so they open offline too.
 */
const views = {
  setup: () => import('./views/SetupView.vue'),
  login: () => import('./views/LoginView.vue'),
  backup: () => import('./views/BackupView.vue'),
  library: () => import('./views/LibraryView.vue'),
  trash: () => import('./views/TrashView.vue'),
  search: () => import('./views/SearchView.vue'),
  map: () => import('./views/MapView.vue'),
  year: () => import('./views/YearReviewView.vue'),
  settings: () => import('./views/SettingsView.vue'),
  users: () => import('./views/UsersView.vue'),
  albums: () => import('./views/AlbumsView.vue'),
  album: () => import('./views/AlbumView.vue'),
  favorites: () => import('./views/AlbumView.vue'),
  archive: () => import('./views/AlbumView.vue'),
  link: () => import('./views/SharedLinkView.vue'),
};

function isView(name: unknown): name is keyof typeof views {
  return typeof name === 'string' && name in views;
}

declare module 'vue-router' {
  interface RouteMeta {
    /** The page's title (document title and heading). */
    title: string;
    /** Reachable without a session (first run and sign-in). */
    public?: boolean;
    /** A screen of photos: it takes the window's whole width. */
    wide?: boolean;
    /** Only the owner of the server may open it. */
    owner?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'backup' } },
  {
    path: '/setup',
    name: 'setup',
    component: views.setup,
    meta: { title: 'Create your account', public: true },
  },
  {
    path: '/login',
    name: 'login',
    component: views.login,
    meta: { title: 'Sign in', public: true },
  },
  { path: '/backup', name: 'backup', component: views.backup, meta: { title: 'Backup' } },
  {
    path: '/library/:id?',
    name: 'library',
    component: views.library,
    meta: { title: 'Library', wide: true },
  },
  { path: '/search', name: 'search', component: views.search, meta: { title: 'Search' } },
  { path: '/places', name: 'map', component: views.map, meta: { title: 'Places' } },
  {
    path: '/years/:year(\\d{4})',
    name: 'year',
    component: views.year,
    meta: { title: 'Year in review' },
  },
  { path: '/albums', name: 'albums', component: views.albums, meta: { title: 'Albums' } },
  { path: '/albums/:id', name: 'album', component: views.album, meta: { title: 'Album' } },
  { path: '/favorites', name: 'favorites', component: views.favorites, meta: { title: 'Favourites' } },
  { path: '/archive', name: 'archive', component: views.archive, meta: { title: 'Archive' } },
  // A public link's page (issue 16), for someone with no account.
  {
    path: '/s/:key',
    name: 'link',
    component: views.link,
    meta: { title: 'Shared photos', public: true, anyone: true },
  },
  {
    path: '/trash',
    name: 'trash',
    component: views.trash,
    meta: { title: 'Trash' },
  },
  {
    path: '/settings',
    name: 'settings',
    component: views.settings,
    meta: { title: 'Settings' },
  },
  {
    path: '/users',
    name: 'users',
    component: views.users,
    meta: { title: 'Users', owner: true },
  },
  { path: '/:unknown(.*)*', redirect: { name: 'backup' } },
];

export function createAppRouter(pinia: Pinia): Router {
  const router = createRouter({ history: createWebHistory(), routes });

  router.beforeEach(async (to, from) => {
    // The screen's chunk loads while the session is asked for, not after (the router loads a
    // route's chunk once its guards have run); a failure is the router's to report, when it
    // loads the same chunk.
    if (isView(to.name)) views[to.name]().catch(() => undefined);
    // Opening the app on Library: its first requests start now too (if index.html has not
    // started them already), rather than once the session, the chunk and the screen are all
    // there (issue 5: the first photo waited for that chain).
    if (to.name === 'library' && from.matched.length === 0) startEarly(LIBRARY_FIRST_REQUESTS);
    const session = useSessionStore(pinia);
    await session.ensureLoaded();
    const access = {
      status: session.status,
      setupRequired: session.setupRequired,
      signedIn: session.signedIn,
    };
    return redirectFor({ ...access, isOwner: session.me?.role === 'owner' }, to) ?? true;
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
