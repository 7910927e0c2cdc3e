import type { RouteLocationRaw } from 'vue-router';
import type { SessionStatus } from './stores/session';

/** Where a visitor in this session state may not go, and where they go instead; null to let them through. */
export function redirectFor(
  session: { status: SessionStatus; setupRequired: boolean; signedIn: boolean; isOwner?: boolean },
  to: { name?: unknown; fullPath: string; meta: { public?: boolean; owner?: boolean; anyone?: boolean } },
): RouteLocationRaw | null {
  // A public link's page (issue 16): for anyone, signed in or not, whatever the server's state.
  if (to.meta.anyone === true) return null;
  // Offline or the server is down: the app opens on what this device has (the queue).
  if (session.status === 'unreachable') {
    if (to.meta.public === true) return { name: 'backup' };
    return to.meta.owner === true ? { name: 'settings' } : null;
  }
  if (session.setupRequired) return to.name === 'setup' ? null : { name: 'setup' };
  if (to.name === 'setup') return { name: session.signedIn ? 'backup' : 'login' };
  if (!session.signedIn) {
    if (to.name === 'login') return null;
    return to.fullPath === '/backup'
      ? { name: 'login' }
      : { name: 'login', query: { redirect: to.fullPath } };
  }
  if (to.name === 'login') return { name: 'backup' };
  // The owner's screens (Users): anyone else is shown their own Settings instead.
  if (to.meta.owner === true && session.isOwner !== true) return { name: 'settings' };
  return null;
}
