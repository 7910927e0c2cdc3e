import { describe, expect, it } from 'vitest';
import { backupUrlFor, shareMessage, shareResultFrom } from './shareTarget';
import type { ShareResult } from './shareTarget';

const queryOf = (url: string): Record<string, string> =>
  Object.fromEntries(new URL(url, 'http://shoebox.test').searchParams);

describe('share target outcomes', () => {
  it.each<ShareResult>([
    { status: 'queued', queued: 2, ignored: 0 },
    { status: 'queued', queued: 1, ignored: 3 },
    { status: 'empty', ignored: 0 },
    { status: 'empty', ignored: 1 },
    { status: 'failed' },
    { status: 'no-worker' },
  ])('round-trips %j through the Backup screen address', (result) => {
    const url = backupUrlFor(result);
    expect(url.startsWith('/backup?')).toBe(true);
    expect(shareResultFrom(queryOf(url))).toEqual(result);
  });

  it('ignores a Backup screen not opened by a share, and nonsense', () => {
    expect(shareResultFrom({})).toBeNull();
    expect(shareResultFrom({ shared: 'lots' })).toBeNull();
    expect(shareResultFrom({ shared: '-1' })).toBeNull();
    expect(shareResultFrom({ shared: ['2'] })).toBeNull();
    expect(shareResultFrom({ shared: '2', ignored: 'x' })).toEqual({
      status: 'queued',
      queued: 2,
      ignored: 0,
    });
  });

  it('says what happened in a sentence', () => {
    expect(shareMessage({ status: 'queued', queued: 2, ignored: 0 })).toEqual({
      text: '2 shared photos and videos are in the queue and will be backed up as soon as the server can be reached.',
      problem: false,
    });
    expect(shareMessage({ status: 'queued', queued: 1, ignored: 1 }).text).toBe(
      "1 shared photo or video is in the queue and will be backed up as soon as the server can be reached. 1 shared file wasn't a photo or video and was left out.",
    );
    const empty = shareMessage({ status: 'empty', ignored: 0 });
    expect(empty.problem).toBe(true);
    expect(empty.text).toMatch(/^Nothing to back up was shared/);
    expect(shareMessage({ status: 'no-worker' }).text).toMatch(/share the photos again/);
  });
});
