import { describe, expect, it } from 'vitest';
import type { BackupSummary } from './backup';
import { PlainReporter, Progress, barSize, formatDuration, summaryText } from './report';
import type { ScannedFile } from './scan';

const file = (name: string, size: number): ScannedFile => ({
  path: `/p/${name}`,
  display: name,
  size,
  mtimeMs: 0,
});

const summary = (overrides: Partial<BackupSummary> = {}): BackupSummary => ({
  server: 'https://photos.example.com',
  dryRun: false,
  files: 7,
  bytes: 30_000_000,
  uploaded: { files: 2, bytes: 20_000_000 },
  alreadyThere: { files: 1, bytes: 1_000_000 },
  wouldUpload: { files: 0, bytes: 0 },
  skipped: [
    { path: 'a.txt', reason: 'Not a photo.' },
    { path: 'b.txt', reason: 'Not a photo.' },
    { path: 'c.jpg', reason: 'Empty.' },
  ],
  failed: [{ path: 'd.jpg', reason: 'The server answered 500.' }],
  notDone: 0,
  hashed: { files: 3, bytes: 21_000_000 },
  sentBytes: 20_000_000,
  resumed: 1,
  assetIds: [],
  seconds: 75,
  ...overrides,
});

describe('summaryText', () => {
  it('counts every outcome, groups the skipped by reason and lists the failed', () => {
    expect(summaryText(summary(), 'done')).toBe(
      [
        'Backed up 7 files to https://photos.example.com in 1 min 15 s: 2 uploaded (20 MB), 1 already backed up, 3 skipped, 1 failed.',
        '1 file resumed where an earlier run stopped.',
        'Skipped:',
        '  2 × Not a photo. (a.txt, b.txt)',
        '  1 × Empty. (c.jpg)',
        'Failed:',
        '  d.jpg: The server answered 500.',
        'Run the same command again to retry the failed files.',
      ].join('\n'),
    );
  });

  it('says what a stopped run left, and what a dry run would send', () => {
    const stopped = summaryText(summary({ notDone: 4, failed: [], skipped: [], resumed: 0 }), 'stopped');
    expect(stopped).toBe(
      'Stopped after 1 min 15 s: 2 uploaded (20 MB), 1 already backed up, 0 skipped, 0 failed.\n' +
        '4 files not backed up yet: run the same command again to continue (unfinished uploads resume where they stopped).',
    );
    const dry = summaryText(
      summary({
        dryRun: true,
        wouldUpload: { files: 5, bytes: 12_300_000 },
        failed: [],
        skipped: [],
        resumed: 0,
      }),
      'done',
    );
    expect(dry).toBe(
      'Dry run against https://photos.example.com, nothing was sent: 5 to upload (12.3 MB), 1 already backed up, 0 skipped, 0 failed.',
    );
  });
});

describe('Progress', () => {
  it('counts finished files and what the server holds of those in progress; rate and time left from the last seconds', () => {
    let now = 0;
    const progress = new Progress(3, 100_000_000, () => now);
    expect(progress.describe()).toEqual({
      files: '0/3 files',
      bytes: '0 bytes of 100 MB',
      rate: '–',
      eta: '–',
    });
    progress.finished(file('already.jpg', 10_000_000));
    const big = file('big.mov', 80_000_000);
    progress.uploading(big, 0, 0);
    now = 2_000;
    progress.uploading(big, 20_000_000, 20_000_000);
    // 10 MB/s; 70 MB left.
    expect(progress.describe()).toEqual({
      files: '1/3 files',
      bytes: '30 MB of 100 MB',
      rate: '10 MB/s',
      eta: '7 s left',
    });
    progress.finished(big);
    expect(progress.bytesDone).toBe(90_000_000);
  });

  it('prints a plain progress line at most every 15 seconds', () => {
    let now = 0;
    const lines: string[] = [];
    const reporter = new PlainReporter(
      (line) => lines.push(line),
      () => now,
    );
    reporter.start({ files: 1, bytes: 40_000_000 });
    const big = file('big.mov', 40_000_000);
    for (let second = 1; second <= 31; second++) {
      now = second * 1000;
      reporter.progress(big, second * 1_000_000, 1_000_000);
    }
    reporter.file(big, { outcome: 'uploaded', assetId: 'x', resumedFrom: null });
    expect(lines).toEqual([
      'Backing up 1 file (40 MB).',
      '… 0/1 files, 15 MB of 40 MB, 1 MB/s, 25 s left',
      '… 0/1 files, 30 MB of 40 MB, 1 MB/s, 10 s left',
      'uploaded       big.mov (40 MB)',
    ]);
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect([0.4, 59, 60, 3599, 3600, 7 * 3600 + 120].map(formatDuration)).toEqual([
      '0 s',
      '59 s',
      '1 min 0 s',
      '59 min 59 s',
      '1 h 0 min',
      '7 h 2 min',
    ]);
  });
});

describe('barSize', () => {
  it('leaves room for the widest figures on an 80-column terminal, and grows the bar on wider ones', () => {
    const widest = '100%  12,345/12,345 files  1.2 GB of 2.4 GB  12.3 MB/s  1 h 5 min left';
    expect(barSize(80) + 1 + widest.length).toBeLessThan(80);
    expect(barSize(160)).toBe(30);
    expect(barSize(undefined)).toBe(barSize(80));
  });
});
