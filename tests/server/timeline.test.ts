/**
 * The timeline a virtualised grid reads: keyset pages in capture order, the day buckets that
 * size it and drive the month scrubber, and jumps to a day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, AssetBuckets, AssetPage } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { api, createOwner, startServer, uploadCorpusFile, type Account, type TestServer } from './helpers';

/**
 * One small photo without an EXIF date, added under several source hashes with the dates the
 * app would send: the dates are what the timeline sorts by. Two share a time to the millisecond.
 */
const DATES = [
  '2010-03-05T08:00:00',
  '2010-03-04T23:59:59.999',
  '2010-03-04T12:00:00+09:00',
  '2010-03-04T12:00:00-05:00',
  '2010-03-04T00:00:00',
  '2009-12-31T18:30:00Z',
  '2009-12-31T07:15:00',
];

describe('the timeline', () => {
  let server: TestServer;
  let owner: Account;

  const page = async (query: string): Promise<AssetPage> => {
    const response = await api<AssetPage>(server.baseUrl, 'GET', `/api/assets${query}`, { auth: owner.auth });
    expect(response.status).toBe(200);
    return response.body;
  };
  const all = async (query = ''): Promise<Asset[]> => {
    const items: Asset[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const next: AssetPage = await page(`?limit=2${query}${cursor === '' ? '' : `&cursor=${cursor}`}`);
      items.push(...next.items);
      cursor = next.nextCursor;
    }
    return items;
  };

  beforeAll(async () => {
    server = await startServer();
    owner = await createOwner(server.baseUrl);
    for (const [index, capturedAt] of DATES.entries()) {
      const result = await uploadCorpusFile(server.baseUrl, owner.auth, 'no_exif.jpg', {
        sourceSha256: index.toString(16).padStart(64, '0'),
        filename: `photo-${index}.jpg`,
        capturedAt,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.error));
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it('counts the assets of each day, newest day first', async () => {
    const response = await api<AssetBuckets>(server.baseUrl, 'GET', '/api/assets/buckets', {
      auth: owner.auth,
    });
    expect(response.body).toEqual({
      days: [
        { day: '2010-03-05', count: 1 },
        { day: '2010-03-04', count: 4 },
        { day: '2009-12-31', count: 2 },
      ],
      total: 7,
    });
  });

  it('pages in capture order (wall-clock time, then id), and the pages’ days add up to the buckets', async () => {
    const items = await all();
    expect(items.map((item) => item.capturedAt)).toEqual([
      '2010-03-05T08:00:00.000Z',
      '2010-03-04T23:59:59.999Z',
      '2010-03-04T12:00:00.000Z',
      '2010-03-04T12:00:00.000Z',
      '2010-03-04T00:00:00.000Z',
      '2009-12-31T18:30:00.000Z',
      '2009-12-31T07:15:00.000Z',
    ]);
    // The two at noon (in Tokyo and in New York, wall-clock) come by id, descending.
    expect((items[2]?.id ?? '') > (items[3]?.id ?? '')).toBe(true);
    expect(new Set(items.map((item) => item.filename)).size).toBe(DATES.length);

    const counts = new Map<string, number>();
    for (const item of items) {
      const day = item.capturedAt.slice(0, 10);
      counts.set(day, (counts.get(day) ?? 0) + 1);
    }
    const buckets = await api<AssetBuckets>(server.baseUrl, 'GET', '/api/assets/buckets', {
      auth: owner.auth,
    });
    expect([...counts].map(([day, count]) => ({ day, count }))).toEqual(buckets.body.days);
  });

  it('keeps each date’s offset beside it', async () => {
    const offsets = Object.fromEntries(
      (await all()).map((item) => [item.filename, item.capturedOffsetMinutes]),
    );
    expect(offsets).toEqual({
      'photo-0.jpg': null,
      'photo-1.jpg': null,
      'photo-2.jpg': 540,
      'photo-3.jpg': -300,
      'photo-4.jpg': null,
      'photo-5.jpg': 0,
      'photo-6.jpg': null,
    });
  });

  it('jumps to a day: from=YYYY-MM-DD starts at the newest asset of that day or before', async () => {
    const fourth = await page('?from=2010-03-04&limit=10');
    expect(fourth.items.map((item) => item.capturedAt.slice(0, 10))).toEqual([
      '2010-03-04',
      '2010-03-04',
      '2010-03-04',
      '2010-03-04',
      '2009-12-31',
      '2009-12-31',
    ]);
    const gap = await page('?from=2010-01-15&limit=1');
    expect(gap.items.map((item) => item.capturedAt)).toEqual(['2009-12-31T18:30:00.000Z']);
    expect((await all('&from=2010-01-15')).map((item) => item.capturedAt)).toEqual([
      '2009-12-31T18:30:00.000Z',
      '2009-12-31T07:15:00.000Z',
    ]);
    expect((await page('?from=2001-01-01')).items).toEqual([]);

    const invalid = await api<ApiErrorBody>(server.baseUrl, 'GET', '/api/assets?from=2010-02-30', {
      auth: owner.auth,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toBe('"from" must be a day of the calendar, as YYYY-MM-DD.');
  });
});
