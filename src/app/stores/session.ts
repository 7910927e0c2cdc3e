import { THUMBNAIL_CACHE } from '../../shared/caches';
import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ConfigResponse, LoginRequest, SetupRequest, User } from '../../shared/api';
import * as api from '../api';

/**
 * - unknown: not asked yet;
 * - ready: the server answered (signed in or not);
 * - unreachable: offline or the server is down; the app still opens, the queue works locally.
 */
export type SessionStatus = 'unknown' | 'ready' | 'unreachable';

/** Who is signed in, and the server's configuration. */
export const useSessionStore = defineStore('session', () => {
  const config = ref<ConfigResponse | null>(null);
  const me = ref<User | null>(null);
  const status = ref<SessionStatus>('unknown');
  /** Why the server could not be asked, as a sentence; null when it answered. */
  const problem = ref<string | null>(null);
  let loading: Promise<void> | null = null;

  const signedIn = computed(() => me.value !== null);
  const setupRequired = computed(() => config.value?.setupRequired === true);

  async function load(): Promise<void> {
    try {
      // Asked together rather than one after the other: the first screen waits for both (issue 5).
      // A fresh server (setup required) has no one signed in, whatever /api/me answered.
      const signedInUser = getMeOrNull();
      void signedInUser.catch(() => undefined);
      config.value = await api.getConfig();
      me.value = config.value.setupRequired ? null : await signedInUser;
      status.value = 'ready';
      problem.value = null;
    } catch (error) {
      // Offline or a broken server: the app still opens (the queue lives on this device) and
      // says why the server's side is missing.
      status.value = 'unreachable';
      problem.value = error instanceof Error ? error.message : "Shoebox can't reach the server.";
    }
  }

  async function getMeOrNull(): Promise<User | null> {
    try {
      return await api.getMe();
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) return null;
      throw error;
    }
  }

  /** Loads once; later calls share the first answer. An unreachable server is asked again next time. */
  function ensureLoaded(): Promise<void> {
    loading ??= load().finally(() => {
      if (status.value !== 'ready') loading = null;
    });
    return loading;
  }

  async function setup(request: SetupRequest): Promise<void> {
    me.value = await api.setup(request);
    if (config.value !== null) config.value = { ...config.value, setupRequired: false };
    status.value = 'ready';
  }

  async function login(request: LoginRequest): Promise<void> {
    me.value = await api.login(request);
    status.value = 'ready';
  }

  async function logout(): Promise<void> {
    await api.logout();
    me.value = null;
    // Thumbnails cached by the service worker belong to the account that saw them.
    if ('caches' in globalThis) await caches.delete(THUMBNAIL_CACHE);
  }

  /** The server says the session is gone (a 401 elsewhere). */
  function signedOut(): void {
    me.value = null;
  }

  return {
    config,
    me,
    status,
    problem,
    signedIn,
    setupRequired,
    load,
    ensureLoaded,
    setup,
    login,
    logout,
    signedOut,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useSessionStore, import.meta.hot));
