import { describe, expect, it } from 'vitest';
import { redirectFor } from './routeAccess';

const route = (name: string, fullPath = `/${name}`, isPublic = false) => ({
  name,
  fullPath,
  meta: { public: isPublic },
});
const setup = route('setup', '/setup', true);
const login = route('login', '/login', true);
const backup = route('backup');
const library = route('library');

const fresh = { status: 'ready' as const, setupRequired: true, signedIn: false };
const signedOut = { status: 'ready' as const, setupRequired: false, signedIn: false };
const signedIn = { status: 'ready' as const, setupRequired: false, signedIn: true };
const offline = { status: 'unreachable' as const, setupRequired: false, signedIn: false };

describe('redirectFor', () => {
  it('sends everyone to "Create your account" on a fresh server', () => {
    expect(redirectFor(fresh, backup)).toEqual({ name: 'setup' });
    expect(redirectFor(fresh, login)).toEqual({ name: 'setup' });
    expect(redirectFor(fresh, setup)).toBeNull();
  });

  it('sends visitors without a session to sign in, remembering where they were going', () => {
    expect(redirectFor(signedOut, backup)).toEqual({ name: 'login' });
    expect(redirectFor(signedOut, library)).toEqual({ name: 'login', query: { redirect: '/library' } });
    expect(redirectFor(signedOut, login)).toBeNull();
    expect(redirectFor(signedOut, setup)).toEqual({ name: 'login' });
  });

  it('keeps signed-in users out of the sign-in and setup screens', () => {
    expect(redirectFor(signedIn, library)).toBeNull();
    expect(redirectFor(signedIn, login)).toEqual({ name: 'backup' });
    expect(redirectFor(signedIn, setup)).toEqual({ name: 'backup' });
  });

  it('opens the app on what the device has when the server is unreachable', () => {
    expect(redirectFor(offline, backup)).toBeNull();
    expect(redirectFor(offline, library)).toBeNull();
    expect(redirectFor(offline, login)).toEqual({ name: 'backup' });
  });
});

describe('redirectFor and the owner', () => {
  const users = { name: 'users', fullPath: '/users', meta: { owner: true } };

  it('lets only the owner reach the owner’s screens', () => {
    expect(redirectFor({ ...signedIn, isOwner: true }, users)).toBeNull();
    expect(redirectFor({ ...signedIn, isOwner: false }, users)).toEqual({ name: 'settings' });
    expect(redirectFor(signedOut, users)).toEqual({ name: 'login', query: { redirect: '/users' } });
    expect(redirectFor(offline, users)).toEqual({ name: 'settings' });
  });
});
