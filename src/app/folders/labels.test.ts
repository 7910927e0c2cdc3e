import { describe, expect, it } from 'vitest';
import { lastScanLabel, scanProgressLabel, scanResultLabel } from './labels';

describe('folder labels', () => {
  it('says how a scan is going', () => {
    expect(scanProgressLabel('Camera', { stage: 'listing', found: 340 })).toBe('Scanning Camera… 340 files');
    expect(scanProgressLabel('Camera', { stage: 'listing', found: 1 })).toBe('Scanning Camera… 1 file');
    expect(scanProgressLabel('Camera', { stage: 'queueing', found: 1204, queued: 0, total: 3 })).toBe(
      'Queueing 0 of 3 new files from Camera…',
    );
  });

  it('says what the last scan found and queued', () => {
    expect(lastScanLabel({ lastFound: 1204, lastQueued: 3 })).toBe('Found 1,204 files, 3 new, queued');
    expect(lastScanLabel({ lastFound: 1204, lastQueued: 0 })).toBe('Found 1,204 files, nothing new');
    expect(lastScanLabel({ lastFound: null, lastQueued: null })).toBeNull();
  });

  it('adds copies and unreadable files to a scan result', () => {
    expect(scanResultLabel({ status: 'scanned', found: 5, queued: 1, copies: 2, unreadable: 1 })).toBe(
      'Found 5 files, 1 new, queued; 2 files already backed up under another name; 1 file could not be read (tried again next scan)',
    );
    expect(scanResultLabel({ status: 'needs-permission' })).toBe(
      'Shoebox needs your permission to read this folder again.',
    );
  });
});
