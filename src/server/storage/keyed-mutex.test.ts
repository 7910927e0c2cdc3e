import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedMutex', () => {
  it('runs tasks on one key one after another, in order, and other keys alongside', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const task = (name: string) => async (): Promise<string> => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      mutex.run('a', task('a1')),
      mutex.run('a', task('a2')),
      mutex.run('b', task('b1')),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(events.indexOf('end a1')).toBeLessThan(events.indexOf('start a2'));
    expect(events.indexOf('start b1')).toBeLessThan(events.indexOf('end a1'));
  });

  it('releases the key when a task fails', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await mutex.run('a', () => Promise.resolve('next'))).toBe('next');
  });
});
