import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { HEAP_GROWING_PERCENT, tuneHeapForStreaming } from './heap';

describe('tuneHeapForStreaming', () => {
  it('sets V8’s heap growing factor', () => {
    const setFlags = vi.fn();
    expect(tuneHeapForStreaming([], setFlags)).toBe(true);
    expect(setFlags).toHaveBeenCalledWith(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });

  it('leaves a factor the operator chose on the command line', () => {
    const setFlags = vi.fn();
    expect(tuneHeapForStreaming(['--enable-source-maps', '--heap-growing-percent=50'], setFlags)).toBe(false);
    expect(tuneHeapForStreaming(['--heap_growing_percent=20'], setFlags)).toBe(false);
    expect(setFlags).not.toHaveBeenCalled();
  });

  it('sets a flag this Node’s V8 knows (an unknown one only prints an error and changes nothing)', () => {
    let flags = '';
    tuneHeapForStreaming([], (set) => (flags = set));
    const setIn = (value: string): string =>
      spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(value)})`], {
        encoding: 'utf8',
      }).stderr;
    expect(setIn('--no-such-heap-flag=300')).toContain('unrecognized flag');
    expect(setIn(flags)).toBe('');
  });
});
