import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  const clock = (): { now: () => number; advance: (ms: number) => void } => {
    let time = 1_000_000;
    return { now: () => time, advance: (ms) => (time += ms) };
  };

  it('blocks a key after the allowed failures until the window ends', () => {
    const { now, advance } = clock();
    const throttle = new LoginThrottle({ maxFailures: 3, windowMs: 60_000 }, now);
    const key = LoginThrottle.key('Ann@Example.com ', '10.0.0.1');
    for (let i = 0; i < 3; i += 1) {
      expect(throttle.isBlocked(key)).toBe(false);
      throttle.recordFailure(key);
    }
    expect(throttle.isBlocked(key)).toBe(true);
    expect(throttle.isBlocked(LoginThrottle.key('ann@example.com', '10.0.0.1'))).toBe(true);
    expect(throttle.isBlocked(LoginThrottle.key('ann@example.com', '10.0.0.2'))).toBe(false);
    advance(60_000);
    expect(throttle.isBlocked(key)).toBe(false);
  });

  it('forgets failures after a success', () => {
    const throttle = new LoginThrottle({ maxFailures: 2, windowMs: 60_000 });
    const key = LoginThrottle.key('a@b.c', '::1');
    throttle.recordFailure(key);
    throttle.reset(key);
    throttle.recordFailure(key);
    expect(throttle.isBlocked(key)).toBe(false);
  });
});
