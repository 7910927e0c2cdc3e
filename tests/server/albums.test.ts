/**
 * Albums (issue 16): create, rename, describe, cover, order, add and take out, delete keeping the
 * photos; sharing with other accounts as viewer or contributor, who added what, leaving and
 * removing; "show in my timeline"; the trash leaving albums until a restore; another user's album
 * or asset is a 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AssetBuckets,
  AssetDetails,
  AssetPage,
  BulkAssetsResponse,
  CreatedToken,
} from '../../src/shared/api';
import type {
  Album,
  AlbumAssetsResponse,
  AlbumList,
  AlbumPage,
  ShareableAccount,
} from '../../src/shared/albums';
import type { ApiErrorBody } from '../../src/shared/errors';
import {
  api,
  createMember,
  createOwner,
  jobsIdle,
  sha256Hex,
  startServer,
  uploadCorpusFile,
  type Account,
  type TestServer,
} from './helpers';
import type { Auth } from '../support/client';

describe('albums', () => {
  let server: TestServer;
  let owner: Account;
  let alice: Account;
  let bob: Account;
  /** Photos by owner (o1…o4), alice (a1, a2) and bob (b1). */
  const ids: Record<string, string> = {};

  const call = async <T>(account: Account | null, method: string, url: string, body?: unknown) =>
    api<T>(server.baseUrl, method, url, { auth: account?.auth ?? null, body });
  /** The status of a GET whose body may not be JSON (thumbnails, originals). */
  const statusOf = async (account: Account, url: string): Promise<number> => {
    const response = await fetch(`${server.baseUrl}${url}`, { headers: { cookie: account.auth.cookie } });
    await response.arrayBuffer();
    return response.status;
  };
  /** A photo of its own (the same bytes under another source hash), taken at `capturedAt`. */
  const upload = async (account: Account, name: string, capturedAt: string): Promise<string> => {
    const result = await uploadCorpusFile(server.baseUrl, account.auth, 'no_exif.jpg', {
      filename: `${name}.jpg`,
      sourceSha256: sha256Hex(new TextEncoder().encode(name)),
      capturedAt,
    });
    if (!result.ok) throw new Error(`Uploading ${name} failed: ${JSON.stringify(result.error)}`);
    return result.assetId;
  };
  const albumIds = async (account: Account, albumId: string, query = ''): Promise<string[]> => {
    const page = await call<AlbumPage>(account, 'GET', `/api/albums/${albumId}/assets${query}`);
    expect(page.status).toBe(200);
    return page.body.items.map((item) => item.id);
  };
  const timeline = async (account: Account): Promise<string[]> =>
    (await call<AssetPage>(account, 'GET', '/api/assets?limit=500')).body.items.map((item) => item.id);
  const newAlbum = async (account: Account, name: string, assetIds: string[] = []): Promise<Album> => {
    const created = await call<Album>(account, 'POST', '/api/albums', { name, assetIds });
    expect(created.status).toBe(201);
    return created.body;
  };

  beforeAll(async () => {
    server = await startServer();
    owner = await createOwner(server.baseUrl);
    alice = await createMember(server.baseUrl, owner, 'alice@example.com');
    bob = await createMember(server.baseUrl, owner, 'bob@example.com');
    // no_exif.jpg has no capture date of its own, so the time sent is the one kept.
    ids.o1 = await upload(owner, 'o1', '2020-01-01T10:00');
    ids.o2 = await upload(owner, 'o2', '2020-01-02T10:00');
    ids.o3 = await upload(owner, 'o3', '2020-01-03T10:00');
    ids.o4 = await upload(owner, 'o4', '2020-01-04T10:00');
    ids.a1 = await upload(alice, 'a1', '2021-05-01T10:00');
    ids.a2 = await upload(alice, 'a2', '2021-05-02T10:00');
    ids.b1 = await upload(bob, 'b1', '2022-07-01T10:00');
    await jobsIdle(server);
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates an album from a selection, lists it with its count, cover and dates, and pages it newest first', async () => {
    const album = await newAlbum(owner, 'Trip', [ids.o1!, ids.o2!, ids.o3!]);
    expect(album).toMatchObject({
      name: 'Trip',
      description: '',
      order: 'desc',
      access: 'owner',
      count: 3,
      owner: { id: owner.user.id, name: 'Owner' },
      members: [],
      coverAssetId: null,
      cover: { assetId: ids.o3 },
    });
    expect(album.firstCapturedAt?.slice(0, 10)).toBe('2020-01-01');
    expect(album.lastCapturedAt?.slice(0, 10)).toBe('2020-01-03');
    expect(await albumIds(owner, album.id)).toEqual([ids.o3, ids.o2, ids.o1]);

    const first = await call<AlbumPage>(owner, 'GET', `/api/albums/${album.id}/assets?limit=2`);
    expect(first.body.items.map((item) => item.id)).toEqual([ids.o3, ids.o2]);
    expect(first.body.items[0]).toMatchObject({
      addedBy: owner.user.id,
      ownerId: owner.user.id,
      favorite: false,
    });
    const next = await call<AlbumPage>(
      owner,
      'GET',
      `/api/albums/${album.id}/assets?limit=2&cursor=${first.body.nextCursor ?? ''}`,
    );
    expect(next.body).toMatchObject({ items: [{ id: ids.o1 }], nextCursor: null });

    const buckets = await call<AssetBuckets>(owner, 'GET', `/api/albums/${album.id}/assets/buckets`);
    expect(buckets.body).toEqual({
      days: [
        { day: '2020-01-03', count: 1 },
        { day: '2020-01-02', count: 1 },
        { day: '2020-01-01', count: 1 },
      ],
      total: 3,
    });
    const list = await call<AlbumList>(owner, 'GET', '/api/albums');
    expect(list.body.albums.map((item) => item.id)).toContain(album.id);
  });

  it('renames, describes, sorts oldest first, chooses and falls back from a cover', async () => {
    const album = await newAlbum(owner, 'Draft', [ids.o1!, ids.o2!, ids.o3!]);
    const changed = await call<Album>(owner, 'PATCH', `/api/albums/${album.id}`, {
      name: '  Summer  ',
      description: 'By the sea',
      order: 'asc',
      coverAssetId: ids.o2,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      name: 'Summer',
      description: 'By the sea',
      order: 'asc',
      coverAssetId: ids.o2,
      cover: { assetId: ids.o2 },
    });
    expect(await albumIds(owner, album.id)).toEqual([ids.o1, ids.o2, ids.o3]);
    expect(await albumIds(owner, album.id, '?from=2020-01-02')).toEqual([ids.o2, ids.o3]);
    const buckets = await call<AssetBuckets>(owner, 'GET', `/api/albums/${album.id}/assets/buckets`);
    expect(buckets.body.days.map((bucket) => bucket.day)).toEqual(['2020-01-01', '2020-01-02', '2020-01-03']);

    // A cover must be in the album.
    const outside = await call<ApiErrorBody>(owner, 'PATCH', `/api/albums/${album.id}`, {
      coverAssetId: ids.o4,
    });
    expect(outside.status).toBe(404);
    // Taking the cover out falls back to the first photo in the album's order.
    const removed = await call<AlbumAssetsResponse>(owner, 'POST', `/api/albums/${album.id}/assets/remove`, {
      ids: [ids.o2],
    });
    expect(removed.body.ids).toEqual([ids.o2]);
    const after = await call<Album>(owner, 'GET', `/api/albums/${album.id}`);
    expect(after.body).toMatchObject({ count: 2, cover: { assetId: ids.o1 } });

    const empty = await call<ApiErrorBody>(owner, 'PATCH', `/api/albums/${album.id}`, { name: '   ' });
    expect(empty.status).toBe(400);
  });

  it('deletes an album and keeps its photos', async () => {
    const album = await newAlbum(owner, 'Gone', [ids.o1!, ids.o4!]);
    expect((await call(owner, 'DELETE', `/api/albums/${album.id}`)).status).toBe(204);
    expect((await call<ApiErrorBody>(owner, 'GET', `/api/albums/${album.id}`)).body.error.code).toBe(
      'ALBUM_NOT_FOUND',
    );
    expect(await timeline(owner)).toEqual(expect.arrayContaining([ids.o1, ids.o4]));
  });

  it("answers 404 for another user's album and does not add another user's photos", async () => {
    const album = await newAlbum(owner, 'Private', [ids.o1!]);
    for (const [method, url, body] of [
      ['GET', `/api/albums/${album.id}`, undefined],
      ['GET', `/api/albums/${album.id}/assets`, undefined],
      ['GET', `/api/albums/${album.id}/assets/buckets`, undefined],
      ['PATCH', `/api/albums/${album.id}`, { name: 'Mine now' }],
      ['DELETE', `/api/albums/${album.id}`, undefined],
      ['POST', `/api/albums/${album.id}/assets`, { ids: [ids.a1] }],
      ['POST', `/api/albums/${album.id}/assets/remove`, { ids: [ids.o1] }],
      ['POST', `/api/albums/${album.id}/members`, { userId: alice.user.id, role: 'viewer' }],
    ] as const) {
      const response = await call<ApiErrorBody>(alice, method, url, body);
      expect(response.status, `${method} ${url}`).toBe(404);
      expect(response.body.error.code).toBe('ALBUM_NOT_FOUND');
    }
    expect((await call<AlbumList>(alice, 'GET', '/api/albums')).body.albums.map((a) => a.id)).not.toContain(
      album.id,
    );
    // Adding someone else's photo to one's own album leaves it out.
    const added = await call<AlbumAssetsResponse>(owner, 'POST', `/api/albums/${album.id}/assets`, {
      ids: [ids.a1, ids.o2],
    });
    expect(added.body.ids).toEqual([ids.o2]);
    expect(await albumIds(owner, album.id)).toEqual([ids.o2, ids.o1]);
    // Nor can anyone see another's photo that no album shares with them.
    expect((await call(alice, 'GET', `/api/assets/${ids.o1}`)).status).toBe(404);
    expect(await statusOf(alice, `/api/assets/${ids.o1}/thumb`)).toBe(404);
    expect(await statusOf(alice, `/api/assets/${ids.o1}/original`)).toBe(404);
  });

  it('shares with a viewer and a contributor: who may add and take out, and who added what', async () => {
    const album = await newAlbum(owner, 'Family', [ids.o1!]);
    const accounts = await call<ShareableAccount[]>(owner, 'GET', '/api/accounts');
    expect(accounts.body.map((account) => account.email).sort()).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);
    const shared = await call<Album>(owner, 'POST', `/api/albums/${album.id}/members`, {
      userId: alice.user.id,
      role: 'contributor',
    });
    expect(shared.status).toBe(201);
    await call(owner, 'POST', `/api/albums/${album.id}/members`, { userId: bob.user.id, role: 'viewer' });

    const seenByBob = await call<Album>(bob, 'GET', `/api/albums/${album.id}`);
    expect(seenByBob.body).toMatchObject({ access: 'viewer', owner: { name: 'Owner' }, count: 1 });
    expect(seenByBob.body.members.map((member) => [member.email, member.role])).toEqual([
      ['alice@example.com', 'contributor'],
      ['bob@example.com', 'viewer'],
    ]);
    expect((await call<AlbumList>(bob, 'GET', '/api/albums')).body.albums.map((a) => a.id)).toContain(
      album.id,
    );

    // The viewer can neither add nor take out.
    const viewerAdds = await call<ApiErrorBody>(bob, 'POST', `/api/albums/${album.id}/assets`, {
      ids: [ids.b1],
    });
    expect(viewerAdds.status).toBe(403);
    expect(viewerAdds.body.error.code).toBe('ALBUM_READ_ONLY');
    const viewerRemoves = await call<ApiErrorBody>(bob, 'POST', `/api/albums/${album.id}/assets/remove`, {
      ids: [ids.o1],
    });
    expect(viewerRemoves.status).toBe(403);
    // Nor rename, nor share further.
    expect((await call(bob, 'PATCH', `/api/albums/${album.id}`, { name: 'x' })).status).toBe(403);
    expect(
      (
        await call(bob, 'POST', `/api/albums/${album.id}/members`, {
          userId: bob.user.id,
          role: 'contributor',
        })
      ).status,
    ).toBe(403);

    // The contributor adds only their own photos.
    const contributorAdds = await call<AlbumAssetsResponse>(alice, 'POST', `/api/albums/${album.id}/assets`, {
      ids: [ids.a1, ids.b1, ids.o2],
    });
    expect(contributorAdds.body.ids).toEqual([ids.a1]);
    const page = await call<AlbumPage>(bob, 'GET', `/api/albums/${album.id}/assets`);
    expect(page.body.items.map((item) => [item.id, item.addedBy])).toEqual([
      [ids.a1, alice.user.id],
      [ids.o1, owner.user.id],
    ]);
    // Members see the album's photos, their thumbnails and originals; not the rest of the owner's library.
    expect((await call<AssetDetails>(bob, 'GET', `/api/assets/${ids.a1}`)).status).toBe(200);
    expect(await statusOf(bob, `/api/assets/${ids.o1}/thumb?size=s`)).toBe(200);
    const original = await fetch(`${server.baseUrl}/api/assets/${ids.a1}/original`, {
      headers: { cookie: bob.auth.cookie, range: 'bytes=0-9' },
    });
    expect(original.status).toBe(206);
    await original.arrayBuffer();
    expect((await call(bob, 'GET', `/api/assets/${ids.o2}`)).status).toBe(404);
    // …but may not change them.
    expect((await call(bob, 'DELETE', `/api/assets/${ids.o1}`)).status).toBe(404);
    const favourite = await call<BulkAssetsResponse>(bob, 'PATCH', '/api/assets', {
      ids: [ids.o1],
      favorite: true,
    });
    expect(favourite.body.ids).toEqual([]);

    // A contributor takes out only what they added; the owner anything.
    const notTheirs = await call<AlbumAssetsResponse>(
      alice,
      'POST',
      `/api/albums/${album.id}/assets/remove`,
      {
        ids: [ids.o1],
      },
    );
    expect(notTheirs.body.ids).toEqual([]);
    expect(await albumIds(owner, album.id)).toEqual([ids.a1, ids.o1]);

    // Leaving takes what one added along.
    expect((await call(alice, 'DELETE', `/api/albums/${album.id}/members/${alice.user.id}`)).status).toBe(
      204,
    );
    expect(await albumIds(owner, album.id)).toEqual([ids.o1]);
    expect((await call(alice, 'GET', `/api/albums/${album.id}`)).status).toBe(404);
    expect((await call(alice, 'GET', `/api/assets/${ids.o1}`)).status).toBe(404);
    // A member cannot remove another; the owner can.
    await call(owner, 'POST', `/api/albums/${album.id}/members`, { userId: alice.user.id, role: 'viewer' });
    expect((await call(bob, 'DELETE', `/api/albums/${album.id}/members/${alice.user.id}`)).status).toBe(403);
    expect((await call(owner, 'DELETE', `/api/albums/${album.id}/members/${bob.user.id}`)).status).toBe(204);
    expect((await call(bob, 'GET', `/api/albums/${album.id}`)).status).toBe(404);
  });

  it("keeps a shared album's photos out of a member's timeline unless they choose to see them there", async () => {
    const album = await newAlbum(owner, 'Holidays', [ids.o3!, ids.o4!]);
    await call(owner, 'POST', `/api/albums/${album.id}/members`, {
      userId: bob.user.id,
      role: 'contributor',
    });
    await call(bob, 'POST', `/api/albums/${album.id}/assets`, { ids: [ids.b1] });
    expect(await timeline(bob)).toEqual([ids.b1]);
    const bucketsBefore = await call<AssetBuckets>(bob, 'GET', '/api/assets/buckets');
    expect(bucketsBefore.body.total).toBe(1);

    // Only the member chooses for their own timeline.
    expect(
      (await call(owner, 'PATCH', `/api/albums/${album.id}/members/${bob.user.id}`, { showInTimeline: true }))
        .status,
    ).toBe(403);
    const shown = await call<Album>(bob, 'PATCH', `/api/albums/${album.id}/members/${bob.user.id}`, {
      showInTimeline: true,
    });
    expect(shown.body.showInTimeline).toBe(true);
    expect(await timeline(bob)).toEqual([ids.b1, ids.o4, ids.o3]);
    const buckets = await call<AssetBuckets>(bob, 'GET', '/api/assets/buckets');
    expect(buckets.body).toEqual({
      days: [
        { day: '2022-07-01', count: 1 },
        { day: '2020-01-04', count: 1 },
        { day: '2020-01-03', count: 1 },
      ],
      total: 3,
    });
    // Pages merge the two without skipping or repeating.
    const first = await call<AssetPage>(bob, 'GET', '/api/assets?limit=2');
    expect(first.body.items.map((item) => item.id)).toEqual([ids.b1, ids.o4]);
    const second = await call<AssetPage>(
      bob,
      'GET',
      `/api/assets?limit=2&cursor=${first.body.nextCursor ?? ''}`,
    );
    expect(second.body).toMatchObject({ items: [{ id: ids.o3 }], nextCursor: null });
    // The owner's timeline is unchanged by it.
    expect(await timeline(owner)).not.toContain(ids.b1);

    await call(bob, 'PATCH', `/api/albums/${album.id}/members/${bob.user.id}`, { showInTimeline: false });
    expect(await timeline(bob)).toEqual([ids.b1]);
  });

  it('a photo in the trash leaves its albums until it is restored', async () => {
    const album = await newAlbum(owner, 'Trashy', [ids.o1!, ids.o2!]);
    await call(owner, 'PATCH', `/api/albums/${album.id}`, { coverAssetId: ids.o2 });
    await call(owner, 'POST', `/api/albums/${album.id}/members`, { userId: alice.user.id, role: 'viewer' });
    expect((await call(owner, 'DELETE', `/api/assets/${ids.o2}`)).status).toBe(200);
    expect(await albumIds(owner, album.id)).toEqual([ids.o1]);
    expect((await call<Album>(owner, 'GET', `/api/albums/${album.id}`)).body).toMatchObject({
      count: 1,
      coverAssetId: ids.o2,
      cover: { assetId: ids.o1 },
    });
    // A member cannot reach it while it is in the trash.
    expect((await call(alice, 'GET', `/api/assets/${ids.o2}`)).status).toBe(404);
    expect((await call(owner, 'POST', `/api/assets/${ids.o2}/restore`)).status).toBe(200);
    expect(await albumIds(owner, album.id)).toEqual([ids.o2, ids.o1]);
    expect((await call<Album>(owner, 'GET', `/api/albums/${album.id}`)).body.cover?.assetId).toBe(ids.o2);
    expect((await call(alice, 'GET', `/api/assets/${ids.o2}`)).status).toBe(200);
  });

  it('puts an upload in the album its metadata names, as far as the uploader may add to it', async () => {
    const album = await newAlbum(owner, 'A folder');
    const members = `/api/albums/${album.id}/members`;
    await call(owner, 'POST', members, { userId: alice.user.id, role: 'contributor' });
    await call(owner, 'POST', members, { userId: bob.user.id, role: 'viewer' });
    const into = async (account: Account, name: string, albumId: string, auth: Auth = account.auth) => {
      const result = await uploadCorpusFile(server.baseUrl, auth, 'no_exif.jpg', {
        filename: `${name}.jpg`,
        sourceSha256: sha256Hex(new TextEncoder().encode(name)),
        capturedAt: '2023-03-01T10:00',
        albumId,
      });
      return result;
    };

    const fresh = await into(owner, 'folder-1', album.id);
    // Already in the owner's library: the duplicate goes into the album too.
    const again = await into(owner, 'o4', album.id);
    const contributed = await into(alice, 'folder-alice', album.id);
    // A viewer's photo, and one naming an album that does not exist: stored, in no album.
    const viewers = await into(bob, 'folder-bob', album.id);
    const nowhere = await into(owner, 'folder-nowhere', '0b9f4c1e-3a52-4f0e-9d7b-1c2e3f4a5b6c');
    expect([fresh, again, contributed, viewers, nowhere].map((r) => (r.ok ? r.outcome : r.status))).toEqual([
      'created',
      'duplicate',
      'created',
      'created',
      'created',
    ]);
    const id = (result: typeof fresh): string => (result.ok ? result.assetId : '');
    expect(id(again)).toBe(ids.o4);
    expect((await albumIds(owner, album.id)).sort()).toEqual([id(fresh), ids.o4, id(contributed)].sort());
    const page = await call<AlbumPage>(owner, 'GET', `/api/albums/${album.id}/assets`);
    expect(page.body.items.find((item) => item.id === id(contributed))?.addedBy).toBe(alice.user.id);
    expect(await timeline(bob)).toContain(id(viewers));
    expect(await timeline(owner)).toContain(id(nowhere));

    // Refused before a byte is kept: a token that may only upload, and an id that is none.
    const token = await call<CreatedToken>(owner, 'POST', '/api/tokens', { name: 'nas', scope: 'upload' });
    const scoped = await into(owner, 'folder-token', album.id, { token: token.body.token });
    const malformed = await into(owner, 'folder-bad', '../../etc');
    expect([scoped, malformed].map((r) => (r.ok ? r.outcome : [r.status, r.error.error.code]))).toEqual([
      [403, 'TOKEN_SCOPE'],
      [400, 'BAD_REQUEST'],
    ]);
    expect((await call<Album>(owner, 'GET', `/api/albums/${album.id}`)).body.count).toBe(3);
  });

  it('refuses malformed requests with a sentence', async () => {
    const noName = await call<ApiErrorBody>(owner, 'POST', '/api/albums', {});
    expect(noName.status).toBe(400);
    expect(noName.body.error.message).toBe('"name" is required.');
    const album = await newAlbum(owner, 'Checks');
    const noIds = await call<ApiErrorBody>(owner, 'POST', `/api/albums/${album.id}/assets`, { ids: [] });
    expect(noIds.status).toBe(400);
    const badRole = await call<ApiErrorBody>(owner, 'POST', `/api/albums/${album.id}/members`, {
      userId: alice.user.id,
      role: 'admin',
    });
    expect(badRole.status).toBe(400);
    const nobody = await call<ApiErrorBody>(owner, 'POST', `/api/albums/${album.id}/members`, {
      userId: 'no-such-user',
      role: 'viewer',
    });
    expect(nobody.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    const self = await call<ApiErrorBody>(owner, 'POST', `/api/albums/${album.id}/members`, {
      userId: owner.user.id,
      role: 'viewer',
    });
    expect(self.status).toBe(400);
    const badFrom = await call<ApiErrorBody>(owner, 'GET', `/api/albums/${album.id}/assets?from=2020-02-31`);
    expect(badFrom.status).toBe(400);
  });
});
