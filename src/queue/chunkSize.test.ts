import { describe, expect, it } from 'vitest';
import { MIN_CHUNK_BYTES, ThroughputMeter, chunkSizeFor } from './chunkSize';

const MiB = 1024 * 1024;
const MAX = 64 * MiB;

describe('chunkSizeFor', () => {
  it('starts at the smallest chunk before anything is measured', () => {
    expect(chunkSizeFor(null, MAX)).toBe(MIN_CHUNK_BYTES);
  });

  it('sizes chunks to the measured rate, between 8 MiB and what the server takes', () => {
    // Phone (20 Mbit/s), home (200 Mbit/s), LAN (1 Gbit/s).
    expect(chunkSizeFor(2.5e6, MAX)).toBe(8 * MiB);
    expect(chunkSizeFor(25e6, MAX)).toBe(47 * MiB);
    expect(chunkSizeFor(125e6, MAX)).toBe(MAX);
    // Behind a proxy with a 20 MB body limit the server says so.
    expect(chunkSizeFor(125e6, 20 * MiB)).toBe(20 * MiB);
    // A server that takes less than the smallest chunk still gets the smallest.
    expect(chunkSizeFor(125e6, MiB)).toBe(MIN_CHUNK_BYTES);
  });
});

describe('ThroughputMeter', () => {
  it('averages the last chunks and ignores the small ones that time round trips', () => {
    const meter = new ThroughputMeter();
    expect(meter.estimate()).toBeNull();
    meter.record(1000, 100);
    expect(meter.estimate()).toBeNull();
    meter.record(8 * MiB, 1000);
    expect(meter.estimate()).toBeCloseTo(8 * MiB, 0);
    for (let at = 0; at < 4; at++) meter.record(16 * MiB, 1000);
    // The first measurement has left the window: only the last four count.
    expect(meter.estimate()).toBeCloseTo(16 * MiB, 0);
  });
});
