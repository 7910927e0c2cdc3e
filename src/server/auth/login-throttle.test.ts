import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { openTestDatabase, testDialects, type TestDatabase } from '../db/testing';
import { addressKey, LoginThrottle, type Admission } from './login-throttle';

let database: TestDatabase;
let db: Db;
let time: number;
const now = (): Date => new Date(time);
const limits = { perPair: 3, perAddress: 5, perAccount: 4, windowMs: 60_000 };

const allowed = (admissions: Admission[]): number => admissions.filter((item) => item.allowed).length;

describe.each(testDialects())('LoginThrottle on %s', (dialect) => {
  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    db = database.handle.db;
    time = Date.parse('2030-01-01T00:00:00Z');
  });
  afterEach(async () => {
    await database.close();
  });

  it('lets exactly the allowed number through a burst of parallel attempts', async () => {
    const throttle = new LoginThrottle(db, now, limits);
    const burst = await Promise.all(
      Array.from({ length: 100 }, () => throttle.admit('ann@example.com', '10.0.0.1')),
    );
    expect(allowed(burst)).toBe(3);
    const refused = burst.find((item) => !item.allowed);
    expect(refused).toEqual({ allowed: false, retryAfterMs: 60_000 });
  });

  it('shares its counts between two throttles on one database (two processes)', async () => {
    const first = new LoginThrottle(db, now, limits);
    const second = new LoginThrottle(db, now, limits);
    const attempts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : second).admit('a@b.c', '10.0.0.1')),
    );
    expect(allowed(attempts)).toBe(3);
  });

  it('limits one address across accounts, and one account across addresses', async () => {
    const throttle = new LoginThrottle(db, now, limits);
    const spray = [];
    for (let i = 0; i < 8; i += 1) spray.push(await throttle.admit(`user${i}@example.com`, '10.0.0.9'));
    expect(allowed(spray)).toBe(5);

    const spread = [];
    for (let i = 0; i < 8; i += 1) spread.push(await throttle.admit('target@example.com', `10.1.0.${i}`));
    expect(allowed(spread)).toBe(4);
    // Another account from a fresh address is untouched.
    expect((await throttle.admit('other@example.com', '10.2.0.1')).allowed).toBe(true);
  });

  it('counts an email in any case and spacing as one account', async () => {
    const throttle = new LoginThrottle(db, now, limits);
    for (const email of ['Ann@Example.com ', 'ann@example.com', ' ANN@example.COM']) {
      expect((await throttle.admit(email, '10.0.0.1')).allowed).toBe(true);
    }
    expect((await throttle.admit('ann@example.com', '10.0.0.1')).allowed).toBe(false);
  });

  it('opens again when the window from the first attempt is over', async () => {
    const throttle = new LoginThrottle(db, now, limits);
    for (let i = 0; i < 3; i += 1) await throttle.admit('a@b.c', '10.0.0.1');
    time += 30_000;
    const blocked = await throttle.admit('a@b.c', '10.0.0.1');
    expect(blocked).toEqual({ allowed: false, retryAfterMs: 30_000 });
    time += 30_000;
    expect((await throttle.admit('a@b.c', '10.0.0.1')).allowed).toBe(true);
  });

  it('does not count a sign-in that succeeded, and forgives the pair its typos', async () => {
    const throttle = new LoginThrottle(db, now, { ...limits, perAddress: 10, perAccount: 10 });
    await throttle.admit('a@b.c', '10.0.0.1');
    await throttle.admit('a@b.c', '10.0.0.1');
    const third = await throttle.admit('a@b.c', '10.0.0.1');
    if (!third.allowed) throw new Error('The third attempt should pass.');
    await throttle.succeeded(third);
    for (let i = 0; i < 3; i += 1) expect((await throttle.admit('a@b.c', '10.0.0.1')).allowed).toBe(true);
    expect((await throttle.admit('a@b.c', '10.0.0.1')).allowed).toBe(false);
  });
});

describe('addressKey', () => {
  it('counts an IPv6 address by its /64 and an IPv4-mapped one as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(addressKey('10.0.0.1')).toBe('10.0.0.1');
  });
});
