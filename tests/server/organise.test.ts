/**
 * Favourites, the archive and the rotate edit (issue 16): what the timeline, the Favourites and
 * Archive listings show; rotation applied to thumbnails and the edited download while the
 * original's bytes stay as uploaded; only the owner changes any of it.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetBuckets, AssetDetails, AssetPage, BulkAssetsResponse } from '../../src/shared/api';
import type { Album } from '../../src/shared/albums';
import type { ApiErrorBody } from '../../src/shared/errors';
import {
  api,
  corpusFile,
  createMember,
  createOwner,
  jobsIdle,
  sha256Hex,
  startServer,
  uploadCorpusFile,
  type Account,
  type TestServer,
} from './helpers';

describe('favourites, archive and rotate', () => {
  let server: TestServer;
  let owner: Account;
  let member: Account;
  const ids: Record<string, string> = {};

  const call = async <T>(account: Account | null, method: string, url: string, body?: unknown) =>
    api<T>(server.baseUrl, method, url, { auth: account?.auth ?? null, body });
  const listed = async (url: string, account: Account = owner): Promise<string[]> => {
    const response = await call<AssetPage>(account, 'GET', url);
    expect(response.status).toBe(200);
    return response.body.items.map((item) => item.id);
  };
  const bytesOf = async (
    url: string,
    account: Account = owner,
  ): Promise<{ status: number; body: Buffer; headers: Headers }> => {
    const response = await fetch(`${server.baseUrl}${url}`, { headers: { cookie: account.auth.cookie } });
    return {
      status: response.status,
      headers: response.headers,
      body: Buffer.from(await response.arrayBuffer()),
    };
  };

  beforeAll(async () => {
    server = await startServer();
    owner = await createOwner(server.baseUrl);
    member = await createMember(server.baseUrl, owner);
    for (const [name, capturedAt] of [
      ['p1', '2020-01-01T10:00'],
      ['p2', '2020-01-02T10:00'],
      ['p3', '2020-01-03T10:00'],
    ] as const) {
      const result = await uploadCorpusFile(server.baseUrl, owner.auth, 'no_exif.jpg', {
        filename: `${name}.jpg`,
        sourceSha256: sha256Hex(new TextEncoder().encode(name)),
        capturedAt,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.error));
      ids[name] = result.assetId;
    }
    // 1800×1200 as stored, EXIF orientation 1: the landscape of the orientation examples.
    const landscape = await uploadCorpusFile(server.baseUrl, owner.auth, 'Landscape_1.jpg');
    if (!landscape.ok) throw new Error(JSON.stringify(landscape.error));
    ids.landscape = landscape.assetId;
    const video = await uploadCorpusFile(server.baseUrl, owner.auth, 'with-gps.mp4');
    if (!video.ok) throw new Error(JSON.stringify(video.error));
    ids.video = video.assetId;
    await jobsIdle(server);
  });
  afterAll(async () => {
    await server.close();
  });

  it('marks favourites, which the Favourites listing shows newest first and the timeline still has', async () => {
    const marked = await call<BulkAssetsResponse>(owner, 'PATCH', '/api/assets', {
      ids: [ids.p1, ids.p3, 'not-an-asset'],
      favorite: true,
    });
    expect(marked.status).toBe(200);
    expect(marked.body.ids).toEqual([ids.p1, ids.p3]);
    expect(await listed('/api/favorites')).toEqual([ids.p3, ids.p1]);
    const buckets = await call<AssetBuckets>(owner, 'GET', '/api/favorites/buckets');
    expect(buckets.body.total).toBe(2);
    const details = await call<AssetDetails>(owner, 'GET', `/api/assets/${ids.p3}`);
    expect(details.body.favorite).toBe(true);
    const timeline = await call<AssetPage>(owner, 'GET', '/api/assets');
    expect(timeline.body.items.find((item) => item.id === ids.p1)).toMatchObject({
      favorite: true,
      archived: false,
    });

    await call(owner, 'PATCH', '/api/assets', { ids: [ids.p3], favorite: false });
    expect(await listed('/api/favorites')).toEqual([ids.p1]);
    // Another account's favourites are its own.
    expect(await listed('/api/favorites', member)).toEqual([]);
  });

  it('archives: out of the timeline and its day counts, in the Archive, still in albums and favourites', async () => {
    const album = await call<Album>(owner, 'POST', '/api/albums', {
      name: 'Kept',
      assetIds: [ids.p1, ids.p2],
    });
    const before = await call<AssetBuckets>(owner, 'GET', '/api/assets/buckets');
    const archived = await call<BulkAssetsResponse>(owner, 'PATCH', '/api/assets', {
      ids: [ids.p1],
      archived: true,
    });
    expect(archived.body.ids).toEqual([ids.p1]);

    expect(await listed('/api/assets?limit=500')).not.toContain(ids.p1);
    const after = await call<AssetBuckets>(owner, 'GET', '/api/assets/buckets');
    expect(after.body.total).toBe(before.body.total - 1);
    expect(after.body.days.find((bucket) => bucket.day === '2020-01-01')).toBeUndefined();
    expect(await listed('/api/archive')).toEqual([ids.p1]);
    expect((await call<AssetBuckets>(owner, 'GET', '/api/archive/buckets')).body.days).toEqual([
      { day: '2020-01-01', count: 1 },
    ]);
    expect(await listed(`/api/albums/${album.body.id}/assets`)).toEqual([ids.p2, ids.p1]);
    expect(await listed('/api/favorites')).toEqual([ids.p1]);

    await call(owner, 'PATCH', '/api/assets', { ids: [ids.p1], archived: false });
    expect(await listed('/api/assets?limit=500')).toContain(ids.p1);
    expect(await listed('/api/archive')).toEqual([]);
  });

  it('changes only the caller’s own assets, and refuses a request that changes nothing', async () => {
    const other = await call<BulkAssetsResponse>(member, 'PATCH', '/api/assets', {
      ids: [ids.p2],
      archived: true,
    });
    expect(other.body.ids).toEqual([]);
    expect(await listed('/api/assets?limit=500')).toContain(ids.p2);
    const nothing = await call<ApiErrorBody>(owner, 'PATCH', '/api/assets', { ids: [ids.p2] });
    expect(nothing.status).toBe(400);
    expect((await call(member, 'PUT', `/api/assets/${ids.p2}/edit`, { rotation: 90 })).status).toBe(404);
    expect((await call(null, 'PATCH', '/api/assets', { ids: [ids.p2], favorite: true })).status).toBe(401);
  });

  it('rotates without touching the original: thumbnails and the edited version turn, and undo turns them back', async () => {
    const id = ids.landscape!;
    const original = corpusFile('Landscape_1.jpg');
    const smallBefore = await bytesOf(`/api/assets/${id}/thumb?size=s`);
    expect(await sharp(smallBefore.body).metadata()).toMatchObject({ width: 320, height: 213 });

    const rotated = await call<AssetDetails>(owner, 'PUT', `/api/assets/${id}/edit`, { rotation: 90 });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ rotation: 90, width: 1200, height: 1800 });
    if (rotated.body.thumb.state !== 'ready') throw new Error('The thumbnail is not ready.');
    const version = rotated.body.thumb.version;
    expect(smallBefore.headers.get('etag')).not.toContain(version);

    const small = await bytesOf(`/api/assets/${id}/thumb?size=s&v=${version}`);
    expect(await sharp(small.body).metadata()).toMatchObject({ width: 213, height: 320 });
    const large = await bytesOf(`/api/assets/${id}/thumb?size=l&v=${version}`);
    expect(await sharp(large.body).metadata()).toMatchObject({ width: 853, height: 1280 });
    // The picture's top-left corner is now its top-right: a corner's colour, give or take the
    // WebP encoding the turned thumbnail went through again.
    const corner = async (bytes: Buffer, x: number, y: number) =>
      Array.from(
        (
          await sharp(bytes).extract({ left: x, top: y, width: 8, height: 8 }).resize(1, 1).raw().toBuffer()
        ).subarray(0, 3),
      );
    const turnedCorner = await corner(small.body, 205, 0);
    const [r, g, b] = await corner(smallBefore.body, 0, 0);
    for (const [channel, value] of turnedCorner.entries())
      expect(Math.abs(value - [r, g, b][channel]!)).toBeLessThan(12);
    // …and not what its top-left shows now.
    const otherCorner = await corner(small.body, 0, 0);
    expect(otherCorner.some((value, channel) => Math.abs(value - [r, g, b][channel]!) > 40)).toBe(true);

    // The original is byte for byte what was uploaded.
    const stored = await bytesOf(`/api/assets/${id}/original`);
    expect(sha256Hex(stored.body)).toBe(original.sha256);
    // The edited version is upright, turned, and named so.
    const edited = await bytesOf(`/api/assets/${id}/edited`);
    expect(edited.status).toBe(200);
    expect(edited.headers.get('content-type')).toBe('image/jpeg');
    expect(edited.headers.get('content-disposition')).toContain(
      "filename*=UTF-8''Landscape_1%20%28edited%29.jpg",
    );
    const editedMeta = await sharp(edited.body).metadata();
    expect({ width: editedMeta.width, height: editedMeta.height }).toEqual({ width: 1200, height: 1800 });
    expect(editedMeta.orientation ?? 1).toBe(1);

    // The timeline shows it turned (its size is the turned one) under the new version.
    const page = await call<AssetPage>(owner, 'GET', '/api/assets?limit=500');
    expect(page.body.items.find((item) => item.id === id)).toMatchObject({
      rotation: 90,
      width: 1200,
      height: 1800,
      thumb: { state: 'ready', version },
    });

    const undone = await call<AssetDetails>(owner, 'PUT', `/api/assets/${id}/edit`, { rotation: 0 });
    expect(undone.body).toMatchObject({ rotation: 0, width: 1800, height: 1200 });
    const smallAfter = await bytesOf(`/api/assets/${id}/thumb?size=s`);
    expect(smallAfter.body.equals(smallBefore.body)).toBe(true);
  });

  it('refuses rotations that are not quarter turns, and turning a video', async () => {
    const bad = await call<ApiErrorBody>(owner, 'PUT', `/api/assets/${ids.landscape}/edit`, { rotation: 45 });
    expect(bad.status).toBe(400);
    const video = await call<ApiErrorBody>(owner, 'PUT', `/api/assets/${ids.video}/edit`, { rotation: 90 });
    expect(video.status).toBe(409);
    expect(video.body.error.code).toBe('EDIT_UNSUPPORTED');
  });
});
