/**
 * Memories and the map (issue 17): "On this day" answers the photos of a calendar date in past
 * years, whatever the zone they were taken in, a few per year with the count of all, and never
 * this year's, the trash's or another user's; the map's points are exactly the caller's
 * geotagged photos at their coordinates, and a cluster's photos come back by id.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../src/shared/errors';
import type { MapAssetsResponse, MapMarkers, MapSettings } from '../../src/shared/map';
import type { OnThisDayResponse, YearReview, YearsResponse } from '../../src/shared/memories';
import type { SearchResponse } from '../../src/shared/search';
import { readMetadata } from '../../src/server/imaging';
import { sniff } from '../../src/shared/sniff';
import {
  api,
  authHeaders,
  CORPUS_DIR,
  createMember,
  createOwner,
  jobsIdle,
  readCorpusFile,
  startServer,
  uploadCorpusFile,
  type Account,
  type Auth,
  type TestServer,
} from './helpers';

let server: TestServer;
let owner: Account;
let member: Account;
let copies = 0;
const ids = new Map<string, string>();

async function add(
  auth: Auth,
  file: string,
  options: { as?: string; capturedAt?: string } = {},
): Promise<string> {
  copies += 1;
  const result = await uploadCorpusFile(server.baseUrl, auth, file, {
    filename: options.as ?? file,
    ...(options.as === undefined ? {} : { sourceSha256: copies.toString(16).padStart(64, 'b') }),
    ...(options.capturedAt === undefined ? {} : { capturedAt: options.capturedAt }),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  ids.set(options.as ?? file, result.assetId);
  return result.assetId;
}

const GEOTAGGED = ['DSCN0010.jpg', 'iphone_hdr_YES.jpg', 'IMG_20180725_163423.jpg', 'with-gps.mov'];

describe('memories and the map', () => {
  beforeAll(async () => {
    server = await startServer();
    owner = await createOwner(server.baseUrl);
    member = await createMember(server.baseUrl, owner);
    for (const file of [...GEOTAGGED, 'Canon_40D.jpg']) await add(owner.auth, file);
    // 14 July in past years, in several zones; the days either side; this year's 14 July.
    await add(owner.auth, 'no_exif.jpg', { as: 'tokyo-2019.jpg', capturedAt: '2019-07-14T23:30:00+09:00' });
    await add(owner.auth, 'no_exif.jpg', { as: 'la-2019.jpg', capturedAt: '2019-07-14T00:15:00-07:00' });
    await add(owner.auth, 'no_exif.jpg', { as: 'after-2019.jpg', capturedAt: '2019-07-15T00:30:00+09:00' });
    await add(owner.auth, 'no_exif.jpg', { as: 'before-2019.jpg', capturedAt: '2019-07-13T23:59:00-07:00' });
    for (let i = 0; i < 8; i++) {
      await add(owner.auth, 'no_exif.jpg', {
        as: `party-2016-${i}.jpg`,
        capturedAt: `2016-07-14T1${i}:00:00+02:00`,
      });
    }
    await add(owner.auth, 'no_exif.jpg', { as: 'today.jpg', capturedAt: '2026-07-14T08:00:00+02:00' });
    await add(owner.auth, 'no_exif.jpg', { as: 'leap.jpg', capturedAt: '2020-02-29T12:00:00' });
    const trashed = await add(owner.auth, 'no_exif.jpg', {
      as: 'trashed-2019.jpg',
      capturedAt: '2019-07-14T12:00:00',
    });
    await add(owner.auth, 'Nexus 4.jpg', { as: 'trashed-london.jpg' });
    for (const id of [trashed, ids.get('trashed-london.jpg') ?? '']) {
      const response = await api(server.baseUrl, 'DELETE', `/api/assets/${id}`, { auth: owner.auth });
      expect(response.status).toBe(200);
    }
    await add(member.auth, 'no_exif.jpg', { as: 'member-2019.jpg', capturedAt: '2019-07-14T12:00:00' });
    await add(member.auth, 'with-gps.mp4', { as: 'member-london.mp4' });
    await jobsIdle(server);
  });
  afterAll(async () => {
    await server.close();
  });

  const onThisDay = async (date: string, auth: Auth = owner.auth): Promise<OnThisDayResponse> => {
    const response = await api<OnThisDayResponse>(
      server.baseUrl,
      'GET',
      `/api/memories/on-this-day?date=${date}`,
      {
        auth,
      },
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  it('finds this date in past years on the photographer’s calendar, a few a year with the count of all', async () => {
    const memories = await onThisDay('2026-07-14');
    expect(memories.date).toBe('2026-07-14');
    expect(memories.years.map(({ year, yearsAgo, count, day }) => ({ year, yearsAgo, count, day }))).toEqual([
      { year: 2019, yearsAgo: 7, count: 2, day: '2019-07-14' },
      { year: 2016, yearsAgo: 10, count: 8, day: '2016-07-14' },
    ]);
    const [recent, older] = memories.years;
    expect(recent?.items.map((item) => item.filename)).toEqual(['tokyo-2019.jpg', 'la-2019.jpg']);
    // Newest first, six of the eight.
    expect(older?.items.map((item) => item.filename)).toEqual([
      'party-2016-7.jpg',
      'party-2016-6.jpg',
      'party-2016-5.jpg',
      'party-2016-4.jpg',
      'party-2016-3.jpg',
      'party-2016-2.jpg',
    ]);
  });

  it('answers nothing for a date without past photos, for another user, and for 29 February elsewhere', async () => {
    expect((await onThisDay('2026-07-16')).years).toEqual([]);
    expect((await onThisDay('2016-07-14')).years).toEqual([]);
    expect((await onThisDay('2019-07-14')).years.map((year) => year.year)).toEqual([2016]);
    const theirs = await onThisDay('2026-07-14', member.auth);
    expect(theirs.years.map((year) => year.items.map((item) => item.filename))).toEqual([
      ['member-2019.jpg'],
    ]);
    expect((await onThisDay('2028-02-29')).years.map((year) => year.year)).toEqual([2020]);
    expect((await onThisDay('2027-02-28')).years).toEqual([]);
  });

  it('refuses a date that is not a day of the calendar, with a sentence', async () => {
    for (const date of ['2026-02-30', '2026-13-01', 'today']) {
      const response = await api<ApiErrorBody>(
        server.baseUrl,
        'GET',
        `/api/memories/on-this-day?date=${date}`,
        {
          auth: owner.auth,
        },
      );
      expect(response.status).toBe(400);
      expect(response.body.error.message).not.toBe('');
    }
    const missing = await api(server.baseUrl, 'GET', '/api/memories/on-this-day', { auth: owner.auth });
    expect(missing.status).toBe(400);
    const anonymous = await api(server.baseUrl, 'GET', '/api/memories/on-this-day?date=2026-07-14');
    expect(anonymous.status).toBe(401);
  });

  const yearReview = async (year: string, auth: Auth = owner.auth): Promise<YearReview> => {
    const response = await api<YearReview>(server.baseUrl, 'GET', `/api/memories/years/${year}`, { auth });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  it('reviews a year: counts, a few photos of each month spread over it, places and the busiest day', async () => {
    const review = await yearReview('2019');
    // Four photos around 14 July (whatever their zones) and the iPhone's video of 24 July; not
    // the trashed photo nor the member's.
    expect({ count: review.count, photos: review.photos, videos: review.videos }).toEqual({
      count: 5,
      photos: 4,
      videos: 1,
    });
    expect(review.query).toBe('date:2019-01-01..2019-12-31');
    expect(review.months.map(({ month, count, query }) => ({ month, count, query }))).toEqual([
      { month: 7, count: 5, query: 'date:2019-07-01..2019-07-31' },
    ]);
    // Four of the five, in capture order, spread: the first, then every fifth of the month.
    expect(review.months[0]?.items.map((item) => item.filename)).toEqual([
      'before-2019.jpg',
      'tokyo-2019.jpg',
      'after-2019.jpg',
      'with-gps.mov',
    ]);
    expect(review.busiestDay).toEqual({ day: '2019-07-14', count: 2, query: 'date:2019-07-14' });
    // The video's place, whose query finds it.
    expect(review.places).toHaveLength(1);
    const [israel] = review.places;
    expect(israel?.count).toBe(1);
    expect(israel?.detail).toMatch(/Israel$/);
    const found = await api<SearchResponse>(
      server.baseUrl,
      'GET',
      `/api/search?q=${encodeURIComponent(israel?.query ?? '')}`,
      { auth: owner.auth },
    );
    expect(found.body.items.map((item) => item.filename)).toEqual(['with-gps.mov']);

    // Eight photos of one day: four, one every other.
    const party = await yearReview('2016');
    expect(party.months[0]?.items.map((item) => item.filename)).toEqual([
      'party-2016-0.jpg',
      'party-2016-2.jpg',
      'party-2016-4.jpg',
      'party-2016-6.jpg',
    ]);
    expect(party.busiestDay).toEqual({ day: '2016-07-14', count: 8, query: 'date:2016-07-14' });

    // Two months, a city with its region and country.
    const older = await yearReview('2008');
    expect(older.months.map(({ month, items }) => [month, items.map((item) => item.filename)])).toEqual([
      [5, ['Canon_40D.jpg']],
      [10, ['DSCN0010.jpg']],
    ]);
    expect(older.places).toEqual([
      {
        label: 'Arezzo',
        detail: 'Tuscany, Italy',
        count: 1,
        query: 'city:Arezzo date:2008-01-01..2008-12-31',
      },
    ]);
  });

  it('lists the years with photos, newest first, each with its latest photo', async () => {
    const list = async (auth: Auth): Promise<[number, string][]> => {
      const response = await api<YearsResponse>(server.baseUrl, 'GET', '/api/memories/years', { auth });
      expect(response.status).toBe(200);
      return response.body.years.map(({ year, cover }) => [year, cover.filename]);
    };
    const years = await list(owner.auth);
    expect(years.slice(0, 1)).toEqual([[2026, 'today.jpg']]);
    expect(years.map(([year]) => year)).toEqual([...years.map(([year]) => year)].sort((a, b) => b - a));
    expect(years).toContainEqual([2019, 'with-gps.mov']);
    expect(years).toContainEqual([2016, 'party-2016-7.jpg']);
    expect(years).toContainEqual([2008, 'DSCN0010.jpg']);
    expect(years.map(([year]) => year)).not.toContain(1999);
    expect(await list(member.auth)).toContainEqual([2019, 'member-2019.jpg']);
    expect((await list(member.auth)).map(([, name]) => name)).not.toContain('with-gps.mov');
  });

  it('reviews only the caller’s year, an empty year as empty, and refuses what is not a year', async () => {
    const theirs = await yearReview('2019', member.auth);
    expect(theirs.count).toBe(1);
    expect(theirs.months.flatMap((month) => month.items.map((item) => item.filename))).toEqual([
      'member-2019.jpg',
    ]);
    expect(theirs.places).toEqual([]);
    expect(await yearReview('1999')).toEqual({
      year: 1999,
      count: 0,
      photos: 0,
      videos: 0,
      months: [],
      places: [],
      busiestDay: null,
      query: 'date:1999-01-01..1999-12-31',
    });
    for (const year of ['19999', 'last', '-201']) {
      const response = await api<ApiErrorBody>(server.baseUrl, 'GET', `/api/memories/years/${year}`, {
        auth: owner.auth,
      });
      expect(response.status).toBe(400);
      expect(response.body.error.message).not.toBe('');
    }
    expect((await api(server.baseUrl, 'GET', '/api/memories/years/2019')).status).toBe(401);
  });

  it('keeps archived photos out of memories until they are back in the timeline', async () => {
    const archive = async (archived: boolean): Promise<void> => {
      const response = await api(server.baseUrl, 'PATCH', '/api/assets', {
        auth: owner.auth,
        body: { ids: [ids.get('la-2019.jpg'), ids.get('party-2016-0.jpg')], archived },
      });
      expect(response.status).toBe(200);
    };
    await archive(true);
    try {
      const memories = await onThisDay('2026-07-14');
      expect(memories.years.map(({ year, count }) => [year, count])).toEqual([
        [2019, 1],
        [2016, 7],
      ]);
      expect(memories.years[0]?.items.map((item) => item.filename)).toEqual(['tokyo-2019.jpg']);
      const review = await yearReview('2019');
      expect(review.count).toBe(4);
      expect(review.months[0]?.items.map((item) => item.filename)).not.toContain('la-2019.jpg');
    } finally {
      await archive(false);
    }
    expect((await yearReview('2019')).count).toBe(5);
  });

  it('puts exactly the caller’s geotagged photos on the map, at their coordinates', async () => {
    const response = await api<MapMarkers>(server.baseUrl, 'GET', '/api/map/markers', { auth: owner.auth });
    expect(response.status).toBe(200);
    const markers = response.body;
    expect(new Set(markers.ids)).toEqual(new Set(GEOTAGGED.map((file) => ids.get(file))));
    expect(markers.latitudes).toHaveLength(markers.ids.length);
    for (const file of GEOTAGGED) {
      const bytes = await readCorpusFile(file);
      const metadata = await readMetadata(
        path.join(CORPUS_DIR, file),
        sniff(bytes.subarray(0, 512))?.mimeType ?? '',
      );
      const at = markers.ids.indexOf(ids.get(file) ?? '');
      expect(markers.latitudes[at]).toBeCloseTo(metadata.gps?.latitude ?? Number.NaN, 5);
      expect(markers.longitudes[at]).toBeCloseTo(metadata.gps?.longitude ?? Number.NaN, 5);
    }
    const theirs = await api<MapMarkers>(server.baseUrl, 'GET', '/api/map/markers', { auth: member.auth });
    expect(theirs.body.ids).toEqual([ids.get('member-london.mp4')]);
  });

  it('answers a cluster’s photos by id, in the order asked, leaving out others’ and trashed ones', async () => {
    const asked = [
      ids.get('with-gps.mov'),
      ids.get('member-london.mp4'),
      ids.get('DSCN0010.jpg'),
      ids.get('trashed-london.jpg'),
      'no-such-id',
    ].join(',');
    const response = await api<MapAssetsResponse>(server.baseUrl, 'GET', `/api/map/assets?ids=${asked}`, {
      auth: owner.auth,
    });
    expect(response.status).toBe(200);
    expect(response.body.items.map((item) => item.filename)).toEqual(['with-gps.mov', 'DSCN0010.jpg']);
    const tooMany = Array.from({ length: 101 }, (_, i) => `id${i}`).join(',');
    const refused = await api<ApiErrorBody>(server.baseUrl, 'GET', `/api/map/assets?ids=${tooMany}`, {
      auth: owner.auth,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/100/);
  });

  it('fetches tiles from the owner’s tile server, and from nowhere until one is set', async () => {
    const png = await readCorpusFile('Issue 280 (dotnet).png');
    const asked: string[] = [];
    const tileServer = http.createServer((request, response) => {
      asked.push(request.url ?? '');
      if (request.url?.startsWith('/html/') === true)
        response.writeHead(200, { 'content-type': 'text/html' }).end('<p>no</p>');
      else response.writeHead(200, { 'content-type': 'image/png' }).end(png);
    });
    await new Promise<void>((resolve) => tileServer.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = tileServer.address() as AddressInfo;
      const tile = (auth: Auth = owner.auth) => api(server.baseUrl, 'GET', '/api/map/tiles/3/4/2', { auth });
      const settings = await api<MapSettings>(server.baseUrl, 'GET', '/api/map/settings', {
        auth: member.auth,
      });
      expect(settings.body).toEqual({ tiles: false, address: null });
      expect((await tile()).status).toBe(404);

      const set = (address: string | null, auth: Auth = owner.auth) =>
        api<MapSettings & ApiErrorBody>(server.baseUrl, 'PUT', '/api/map/settings', {
          auth,
          body: { address },
        });
      const address = `http://127.0.0.1:${port}/tiles/{z}/{x}/{y}.png`;
      expect((await set(address, member.auth)).status).toBe(403);
      for (const bad of [
        'ftp://example.org/{z}/{x}/{y}',
        'http://127.0.0.1/tiles.png',
        'not an address {z}{x}{y}',
      ]) {
        const refused = await set(bad);
        expect(refused.status).toBe(400);
        expect(refused.body.error.message).toMatch(/address/);
      }
      expect(asked).toEqual([]);

      expect((await set(address)).body).toEqual({ tiles: true, address });
      const memberView = await api<MapSettings>(server.baseUrl, 'GET', '/api/map/settings', {
        auth: member.auth,
      });
      expect(memberView.body).toEqual({ tiles: true, address: null });
      const fetched = await fetch(`${server.baseUrl}/api/map/tiles/3/4/2`, {
        headers: authHeaders(member.auth),
      });
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await fetched.arrayBuffer()).equals(png)).toBe(true);
      expect(asked).toEqual(['/tiles/3/4/2.png']);
      expect((await api(server.baseUrl, 'GET', '/api/map/tiles/3/8/2', { auth: owner.auth })).status).toBe(
        404,
      );
      expect((await api(server.baseUrl, 'GET', '/api/map/tiles/3/4/2')).status).toBe(401);

      await set(`http://127.0.0.1:${port}/html/{z}/{x}/{y}`);
      const notATile = await api<ApiErrorBody>(server.baseUrl, 'GET', '/api/map/tiles/3/4/2', {
        auth: owner.auth,
      });
      expect(notATile.status).toBe(502);
      expect(notATile.body.error.code).toBe('TILES_UNAVAILABLE');

      expect((await set(null)).body).toEqual({ tiles: false, address: null });
      expect((await tile()).status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => tileServer.close(() => resolve()));
    }
  });
});
