/**
 * Search (issue 17) over a seeded library with known answers: file names, dates across time
 * zones, places (real geotagged corpus photos, and points either side of borders), cameras and
 * types; another user's photos never appear; paging stays stable while photos are added.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, AssetDetails } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import type { SearchResponse, SuggestionsResponse } from '../../src/shared/search';
import type { Db } from '../../src/server/db';
import { NAME_CANDIDATES_MAX } from '../../src/server/search/search';
import { ensureSearchIndexJob, indexPendingAssets, searchSource } from '../../src/server/search/index-job';
import { normaliseKey } from '../../src/shared/search-query';
import {
  api,
  createMember,
  createOwner,
  jobsIdle,
  openServerDatabase,
  startServer,
  uploadCorpusFile,
  type Account,
  type Auth,
  type TestServer,
} from './helpers';

let server: TestServer;
let db: Db;
let owner: Account;
let member: Account;
let copies = 0;

/** Uploads a corpus file; `as` names it, `capturedAt` dates it (for files without a date). */
async function add(
  auth: Auth,
  file: string,
  options: { as?: string; capturedAt?: string } = {},
): Promise<string> {
  copies += 1;
  const result = await uploadCorpusFile(server.baseUrl, auth, file, {
    filename: options.as ?? file,
    ...(options.as === undefined ? {} : { sourceSha256: copies.toString(16).padStart(64, 'a') }),
    ...(options.capturedAt === undefined ? {} : { capturedAt: options.capturedAt }),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.assetId;
}

/** Puts an asset at a place, as if its file had said so, and indexes it again. */
async function placeAt(id: string, latitude: number, longitude: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('assets')
      .set({ latitude, longitude, search_source: null })
      .where('id', '=', id)
      .execute();
    await ensureSearchIndexJob(trx, new Date());
  });
  server.app.jobs.wake();
}

async function search(q: string, auth: Auth = owner.auth, extra = ''): Promise<SearchResponse> {
  const response = await api<SearchResponse>(
    server.baseUrl,
    'GET',
    `/api/search?q=${encodeURIComponent(q)}${extra}`,
    {
      auth,
    },
  );
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

const names = (page: SearchResponse): string[] => page.items.map((item) => item.filename).sort();

describe('search', () => {
  beforeAll(async () => {
    server = await startServer();
    ({ db } = await openServerDatabase(server.dataDir));
    owner = await createOwner(server.baseUrl);
    member = await createMember(server.baseUrl, owner);

    // Real photos with their own places, dates and cameras.
    for (const file of [
      'DSCN0010.jpg',
      'iphone_hdr_YES.jpg',
      'IMG_20180725_163423.jpg',
      'with-gps.mov',
      'Canon_40D.jpg',
    ])
      await add(owner.auth, file);
    // The same day on the photographer's calendar in three time zones, and the days either side
    // of it where UTC would put them on the 14th.
    await add(owner.auth, 'no_exif.jpg', { as: 'tokyo-night.jpg', capturedAt: '2019-07-14T23:30:00+09:00' });
    await add(owner.auth, 'no_exif.jpg', { as: 'la-morning.jpg', capturedAt: '2019-07-14T00:15:00-07:00' });
    await add(owner.auth, 'no_exif.jpg', {
      as: 'next-day-in-tokyo.jpg',
      capturedAt: '2019-07-15T00:30:00+09:00',
    });
    await add(owner.auth, 'no_exif.jpg', {
      as: 'day-before-in-la.jpg',
      capturedAt: '2019-07-13T20:00:00-07:00',
    });
    await add(owner.auth, 'Issue 280 (dotnet).png', {
      as: 'Screenshot_20190714-101500.png',
      capturedAt: '2019-07-14T10:15:00+02:00',
    });
    // Either side of the Detroit River and of the Rhine at Strasbourg: the nearest town is across
    // the border for the first of each pair.
    const borders: [string, number, number][] = [
      ['renaissance-center.jpg', 42.3293, -83.0398],
      ['windsor-riverside.jpg', 42.3149, -83.0364],
      ['rhine-french-bank.jpg', 48.569, 7.796],
      ['rhine-german-bank.jpg', 48.57, 7.806],
    ];
    for (const [name, latitude, longitude] of borders) {
      await placeAt(
        await add(owner.auth, 'no_exif.jpg', { as: name, capturedAt: '2016-05-01T12:00:00' }),
        latitude,
        longitude,
      );
    }
    // The member's own copy of a photo from Arezzo.
    await add(member.auth, 'DSCN0010.jpg', { as: 'member-arezzo.jpg' });
    await jobsIdle(server);
  });
  afterAll(async () => {
    await db.destroy();
    await server.close();
  });

  it.each([
    ['dscn', ['DSCN0010.jpg']],
    ['tokyo night', ['tokyo-night.jpg']],
    ['IMG_2018', ['IMG_20180725_163423.jpg']],
    ['.png', ['Screenshot_20190714-101500.png']],
    ['100%', []],
  ])('finds file names: %j', async (q, expected) => {
    expect(names(await search(q))).toEqual(expected);
  });

  it.each([
    ['2019-07-14', ['Screenshot_20190714-101500.png', 'la-morning.jpg', 'tokyo-night.jpg']],
    ['14 July 2019', ['Screenshot_20190714-101500.png', 'la-morning.jpg', 'tokyo-night.jpg']],
    [
      'July 2019',
      [
        'Screenshot_20190714-101500.png',
        'day-before-in-la.jpg',
        'la-morning.jpg',
        'next-day-in-tokyo.jpg',
        'tokyo-night.jpg',
        'with-gps.mov',
      ],
    ],
    ['summer 2018', ['IMG_20180725_163423.jpg']],
    ['2008', ['Canon_40D.jpg', 'DSCN0010.jpg']],
    ['2008 to 2015', ['Canon_40D.jpg', 'DSCN0010.jpg', 'iphone_hdr_YES.jpg']],
    ['October', ['DSCN0010.jpg']],
    ['1999', []],
  ])('finds dates on the photographer’s calendar: %j', async (q, expected) => {
    expect(names(await search(q))).toEqual(expected);
  });

  it.each([
    ['Arezzo', ['DSCN0010.jpg']],
    ['tuscany', ['DSCN0010.jpg']],
    ['Italy', ['DSCN0010.jpg']],
    ['madrid', ['iphone_hdr_YES.jpg']],
    ['Benatky nad Jizerou', ['IMG_20180725_163423.jpg']],
    ['czechia', ['IMG_20180725_163423.jpg']],
    ['Israel', ['with-gps.mov']],
    ['Detroit', ['renaissance-center.jpg']],
    ['united states', ['renaissance-center.jpg']],
    ['Windsor', ['windsor-riverside.jpg']],
    ['Canada', ['windsor-riverside.jpg']],
    ['Strasbourg', ['rhine-french-bank.jpg']],
    ['Kehl', ['rhine-german-bank.jpg']],
    ['germany', ['rhine-german-bank.jpg']],
  ])('finds places, each on its side of a border: %j', async (q, expected) => {
    const page = await search(q);
    expect(names(page)).toEqual(expected);
    expect(page.filters.map((filter) => filter.filter.kind)).not.toContain('name');
  });

  it('names the place in an asset’s details', async () => {
    const [arezzo] = (await search('Arezzo')).items;
    const details = await api<AssetDetails>(server.baseUrl, 'GET', `/api/assets/${arezzo?.id ?? ''}`, {
      auth: owner.auth,
    });
    expect(details.body.place).toEqual({
      countryCode: 'IT',
      country: 'Italy',
      region: 'Tuscany',
      city: 'Arezzo',
    });
    const [dated] = (await search('tokyo night')).items;
    const undated = await api<AssetDetails>(server.baseUrl, 'GET', `/api/assets/${dated?.id ?? ''}`, {
      auth: owner.auth,
    });
    expect(undated.body.place).toBeNull();
  });

  it.each([
    ['canon eos 40d', ['Canon_40D.jpg']],
    ['canon', ['Canon_40D.jpg']],
    // The video was taken with the same phone.
    ['iphone 6', ['iphone_hdr_YES.jpg', 'with-gps.mov']],
    ['nikon', ['DSCN0010.jpg']],
    ['pixel', ['IMG_20180725_163423.jpg']],
  ])('finds cameras: %j', async (q, expected) => {
    expect(names(await search(q))).toEqual(expected);
  });

  it('finds types: videos, screenshots, and photos without the videos', async () => {
    expect(names(await search('videos'))).toEqual(['with-gps.mov']);
    expect(names(await search('screenshots'))).toEqual(['Screenshot_20190714-101500.png']);
    const photos = names(await search('photos'));
    expect(photos).toHaveLength(13);
    expect(photos).not.toContain('with-gps.mov');
  });

  it('combines filters, and answers with the filters it read as chips', async () => {
    const page = await search('Arezzo 2008 photos');
    expect(names(page)).toEqual(['DSCN0010.jpg']);
    expect(page.filters.map(({ token, label }) => [token, label])).toEqual([
      ['date:2008-01-01..2008-12-31', '2008'],
      ['type:photo', 'Photos'],
      ['city:Arezzo', 'Arezzo'],
    ]);
    expect(names(await search('Arezzo 2019'))).toEqual([]);
    // Two places widen; the tokens read back the same search.
    expect(names(await search('city:Detroit city:Kehl'))).toEqual([
      'renaissance-center.jpg',
      'rhine-german-bank.jpg',
    ]);
    expect(names(await search('country:IT date:2008-10-22'))).toEqual(['DSCN0010.jpg']);
  });

  it.each([
    ['Arezo', 'Arezzo', ['DSCN0010.jpg']],
    ['arezo 2008', 'Arezzo 2008', ['DSCN0010.jpg']],
    ['Madird', 'Madrid', ['iphone_hdr_YES.jpg']],
    ['cannon', 'Canon', ['Canon_40D.jpg']],
    ['juyl 14 2019', 'july 14 2019', ['Screenshot_20190714-101500.png', 'la-morning.jpg', 'tokyo-night.jpg']],
    ['vidoes', 'videos', ['with-gps.mov']],
    ['Benatky nad Jizerov', 'Benátky nad Jizerou', ['IMG_20180725_163423.jpg']],
  ])('offers a correction for a search that finds nothing: %j', async (q, corrected, expected) => {
    const page = await search(q);
    expect(page.items).toEqual([]);
    expect(page.didYouMean?.normalize('NFC')).toBe(corrected.normalize('NFC'));
    expect(names(await search(page.didYouMean ?? ''))).toEqual(expected);
  });

  it('offers no correction that finds nothing, none for a search that found something, none from another user’s places', async () => {
    for (const q of ['zzzzzz', 'Arezo 2019', 'nad', 'IMG_2099']) {
      expect((await search(q)).didYouMean, q).toBeNull();
    }
    expect((await search('Arezzo')).didYouMean).toBeNull();
    expect((await search('Madird', member.auth)).didYouMean).toBeNull();
    expect((await search('Arezo', member.auth)).didYouMean).toBe('Arezzo');
  });

  it('never shows another user’s photos, and shows them theirs', async () => {
    expect(names(await search('Arezzo'))).toEqual(['DSCN0010.jpg']);
    expect(names(await search('member'))).toEqual([]);
    expect(names(await search('Arezzo', member.auth))).toEqual(['member-arezzo.jpg']);
    expect(names(await search('Madrid', member.auth))).toEqual([]);
    const suggestions = await api<SuggestionsResponse>(
      server.baseUrl,
      'GET',
      '/api/search/suggestions?q=mad',
      {
        auth: member.auth,
      },
    );
    expect(suggestions.body.suggestions).toEqual([]);
  });

  it('suggests places, cameras, years, types and dates with their counts', async () => {
    const suggest = async (q: string): Promise<SuggestionsResponse> =>
      (
        await api<SuggestionsResponse>(
          server.baseUrl,
          'GET',
          `/api/search/suggestions?q=${encodeURIComponent(q)}`,
          { auth: owner.auth },
        )
      ).body;
    const are = await suggest('2008 are');
    expect(are.replaces).toBe('are');
    expect(are.suggestions[0]).toMatchObject({
      token: 'city:Arezzo',
      label: 'Arezzo',
      detail: 'City in Italy',
      count: 1,
    });
    expect((await suggest('tusc')).suggestions[0]).toMatchObject({ token: 'region:Tuscany', count: 1 });
    // Madrid the city and Madrid the region hold the same photo: one suggestion.
    expect((await suggest('mad')).suggestions.map((s) => [s.token, s.detail])).toEqual([
      ['city:Madrid', 'City in Spain'],
    ]);
    expect((await suggest('20')).suggestions.map((s) => s.label)).toEqual([
      '2019',
      '2018',
      '2016',
      '2015',
      '2008',
    ]);
    expect((await suggest('vid')).suggestions.map((s) => s.token)).toEqual(['type:video']);
    expect((await suggest('can')).suggestions.map((s) => s.token)).toEqual(
      expect.arrayContaining(['make:Canon', 'camera:"Canon EOS 40D"', 'country:CA']),
    );
    const july = await suggest('july 2019');
    expect(july.replaces).toBe('july 2019');
    expect(july.suggestions[0]).toMatchObject({ token: 'date:2019-07-01..2019-07-31', count: 6 });
    expect((await suggest('tokyo')).suggestions[0]).toMatchObject({ token: 'name:tokyo-night.jpg' });
  });

  it('refuses a cursor it did not make and a query too long, with a sentence', async () => {
    const bad = await api<ApiErrorBody>(server.baseUrl, 'GET', '/api/search?q=2019&cursor=nonsense!', {
      auth: owner.auth,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/cursor/);
    const long = await api<ApiErrorBody>(server.baseUrl, 'GET', `/api/search?q=${'a'.repeat(600)}`, {
      auth: owner.auth,
    });
    expect(long.status).toBe(400);
  });

  it('pages by keyset: photos added between pages neither repeat nor push others out', async () => {
    const first = await search('2019', owner.auth, '&limit=3');
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    // Newer than the whole first page, and older than all of it.
    await add(owner.auth, 'no_exif.jpg', { as: 'added-newest.jpg', capturedAt: '2019-12-31T23:00:00' });
    await add(owner.auth, 'no_exif.jpg', { as: 'added-oldest.jpg', capturedAt: '2019-01-01T01:00:00' });
    await jobsIdle(server);
    const seen: Asset[] = [...first.items];
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const next = await search('2019', owner.auth, `&limit=3&cursor=${cursor}`);
      seen.push(...next.items);
      cursor = next.nextCursor;
    }
    const seenNames = seen.map((item) => item.filename);
    expect(new Set(seenNames).size).toBe(seenNames.length);
    expect(seenNames).not.toContain('added-newest.jpg');
    expect(seenNames.at(-1)).toBe('added-oldest.jpg');
    expect(seenNames.slice(0, -1).sort()).toEqual(
      [
        'Screenshot_20190714-101500.png',
        'day-before-in-la.jpg',
        'la-morning.jpg',
        'next-day-in-tokyo.jpg',
        'tokyo-night.jpg',
        'with-gps.mov',
      ].sort(),
    );
  });

  it('indexes a photo again when it moved while the index job was reading it', async () => {
    // Placed in Detroit, indexed there; then, while a pass of the index job holds what it read,
    // the photo's coordinates change to Kehl (as when its metadata is read again).
    const id = await add(owner.auth, 'no_exif.jpg', {
      as: 'moved-meanwhile.jpg',
      capturedAt: '2016-05-02T12:00:00',
    });
    await jobsIdle(server);
    await placeAt(id, 42.3293, -83.0398);
    await jobsIdle(server);
    expect(names(await search('moved-meanwhile'))).toEqual(['moved-meanwhile.jpg']);
    expect(names(await search('Detroit'))).toContain('moved-meanwhile.jpg');
    await db.updateTable('assets').set({ search_source: null }).where('id', '=', id).execute();
    let moved = false;
    // The job's reads through a connection of their own, so that the change can be written while
    // the job holds what it read (SQLite's driver keeps its one connection until a result is
    // transformed).
    const { db: jobDb } = await openServerDatabase(server.dataDir);
    const racing = jobDb.withPlugin({
      transformQuery: (args) => args.node,
      async transformResult(args) {
        if (!moved && args.result.rows.some((row) => row.id === id && 'latitude' in row)) {
          moved = true;
          await db.transaction().execute(async (trx) => {
            await trx
              .updateTable('assets')
              .set({ latitude: 48.57, longitude: 7.806, search_source: null })
              .where('id', '=', id)
              .execute();
            await ensureSearchIndexJob(trx, new Date());
          });
        }
        return args.result;
      },
    });
    try {
      await indexPendingAssets(racing, new AbortController().signal, server.app.log);
    } finally {
      await jobDb.destroy();
    }
    expect(moved).toBe(true);
    server.app.jobs.wake();
    await jobsIdle(server);
    expect(names(await search('Kehl'))).toContain('moved-meanwhile.jpg');
    expect(names(await search('Detroit'))).not.toContain('moved-meanwhile.jpg');
    await api(server.baseUrl, 'DELETE', `/api/assets/${id}`, { auth: owner.auth });
  });

  it('finds a word in more names than its index narrows to, and forgets a name once deleted', async () => {
    // More photos named with one word than the trigram index hands over: found by walking capture
    // order instead. Rows written in bulk, as the search index job leaves them.
    const common = NAME_CANDIDATES_MAX + 5;
    const rows = Array.from({ length: common }, (_, index) => {
      const filename = `harbour-${String(index).padStart(5, '0')}.jpg`;
      const id = `bulk-${String(index).padStart(5, '0')}`;
      return {
        id,
        owner_id: owner.user.id,
        filename,
        mime_type: 'image/jpeg',
        bytes: 1000,
        sha256: String(index).padStart(64, 'e'),
        source_sha256: String(index).padStart(64, 'f'),
        captured_at: new Date(Date.UTC(2001, 0, 1) + index * 60_000).toISOString(),
        uploaded_at: new Date().toISOString(),
        blob_key: `bulk/${id}`,
        name_key: normaliseKey(filename),
        search_source: searchSource(),
      };
    });
    for (let at = 0; at < rows.length; at += 500) {
      await db
        .insertInto('assets')
        .values(rows.slice(at, at + 500))
        .execute();
    }
    let seen = 0;
    let cursor: string | null = null;
    do {
      const page: SearchResponse = await search(
        'harbour',
        owner.auth,
        `&limit=500${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      seen += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toBe(common);
    // One of them by its number: through the index.
    expect(names(await search('harbour-00042'))).toEqual(['harbour-00042.jpg']);
    expect(names(await search('harbour-00042', member.auth))).toEqual([]);

    // Renamed by a new index pass, then deleted for good: the index follows the table.
    await db
      .updateTable('assets')
      .set({ name_key: 'lighthouse-00042.jpg' })
      .where('id', '=', 'bulk-00042')
      .execute();
    expect(names(await search('harbour-00042'))).toEqual([]);
    expect(names(await search('lighthouse'))).toEqual(['harbour-00042.jpg']);
    expect((await api(server.baseUrl, 'DELETE', '/api/assets/bulk-00042', { auth: owner.auth })).status).toBe(
      200,
    );
    expect(names(await search('lighthouse'))).toEqual([]);
    expect((await api(server.baseUrl, 'DELETE', '/api/trash', { auth: owner.auth })).status).toBe(200);
    expect(names(await search('lighthouse'))).toEqual([]);
    expect(await db.selectFrom('assets').select('id').where('id', '=', 'bulk-00042').execute()).toEqual([]);
  });

  it('finds favourites and albums, and the photos of albums shared with the caller, only while shared', async () => {
    const idOf = async (q: string): Promise<string> => (await search(q)).items[0]?.id ?? '';
    const canon = await idOf('Canon_40D');
    const arezzo = await idOf('DSCN0010');
    const madrid = await idOf('iphone_hdr_YES');
    const marked = await api(server.baseUrl, 'PATCH', '/api/assets', {
      auth: owner.auth,
      body: { ids: [canon, madrid], favorite: true },
    });
    expect(marked.status).toBe(200);
    const favourites = await search('favourites');
    expect(names(favourites)).toEqual(['Canon_40D.jpg', 'iphone_hdr_YES.jpg']);
    expect(favourites.filters.map(({ token, label }) => [token, label])).toEqual([
      ['is:favorite', 'Favourites'],
    ]);
    expect(names(await search('is:favorite madrid'))).toEqual(['iphone_hdr_YES.jpg']);
    const fav = await api<SuggestionsResponse>(server.baseUrl, 'GET', '/api/search/suggestions?q=fav', {
      auth: owner.auth,
    });
    expect(fav.body.suggestions.map(({ token, label, detail }) => [token, label, detail])).toEqual([
      ['is:favorite', 'Favourites', 'Photos you marked'],
    ]);

    const created = await api<{ id: string }>(server.baseUrl, 'POST', '/api/albums', {
      auth: owner.auth,
      body: { name: 'Tuscany trip', assetIds: [arezzo, canon] },
    });
    expect(created.status).toBe(201);
    const album = created.body.id;
    // The longest phrase that names something: the album, not the region Tuscany and a word.
    const trip = await search('tuscany trip');
    expect(names(trip)).toEqual(['Canon_40D.jpg', 'DSCN0010.jpg']);
    expect(trip.filters.map(({ token }) => token)).toEqual(['album:"Tuscany trip"']);
    expect(names(await search('album:"tuscany trip" favourites'))).toEqual(['Canon_40D.jpg']);

    // Not shared yet: the member finds nothing of it.
    expect(names(await search('album:"Tuscany trip"', member.auth))).toEqual([]);
    expect(names(await search('Arezzo', member.auth))).toEqual(['member-arezzo.jpg']);
    expect(names(await search('canon', member.auth))).toEqual([]);

    const shared = await api(server.baseUrl, 'POST', `/api/albums/${album}/members`, {
      auth: owner.auth,
      body: { userId: member.user.id, role: 'viewer' },
    });
    expect(shared.status).toBe(201);
    expect(names(await search('Arezzo', member.auth))).toEqual(['DSCN0010.jpg', 'member-arezzo.jpg']);
    expect(names(await search('tuscany trip', member.auth))).toEqual(['Canon_40D.jpg', 'DSCN0010.jpg']);
    expect(names(await search('canon', member.auth))).toEqual(['Canon_40D.jpg']);
    // What is not in the album stays the owner's alone; a favourite is the owner's mark.
    expect(names(await search('madrid', member.auth))).toEqual([]);
    expect(names(await search('favourites', member.auth))).toEqual([]);
    const suggestions = await api<SuggestionsResponse>(
      server.baseUrl,
      'GET',
      '/api/search/suggestions?q=tusc',
      {
        auth: member.auth,
      },
    );
    expect(suggestions.body.suggestions.map(({ label, detail, count }) => [label, detail, count])).toEqual(
      expect.arrayContaining([
        ['Tuscany trip', 'Album', 2],
        ['Tuscany', 'Region in Italy', 2],
      ]),
    );

    // A contributor's own photo in the owner's album: the owner finds it through the album.
    const promoted = await api(server.baseUrl, 'PATCH', `/api/albums/${album}/members/${member.user.id}`, {
      auth: owner.auth,
      body: { role: 'contributor' },
    });
    expect(promoted.status).toBe(200);
    const memberArezzo = (await search('member-arezzo', member.auth)).items[0]?.id ?? '';
    const contributed = await api(server.baseUrl, 'POST', `/api/albums/${album}/assets`, {
      auth: member.auth,
      body: { ids: [memberArezzo] },
    });
    expect(contributed.status).toBe(200);
    expect(names(await search('Arezzo'))).toEqual(['DSCN0010.jpg', 'member-arezzo.jpg']);
    expect(names(await search('album:"tuscany trip"'))).toEqual([
      'Canon_40D.jpg',
      'DSCN0010.jpg',
      'member-arezzo.jpg',
    ]);

    const unshared = await api(server.baseUrl, 'DELETE', `/api/albums/${album}/members/${member.user.id}`, {
      auth: owner.auth,
    });
    expect(unshared.status).toBeLessThan(300);
    expect(names(await search('Arezzo', member.auth))).toEqual(['member-arezzo.jpg']);
    expect(names(await search('tuscany trip', member.auth))).toEqual([]);
    // What the member added left with them.
    expect(names(await search('Arezzo'))).toEqual(['DSCN0010.jpg']);
  });
});
