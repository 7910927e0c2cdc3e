/**
 * The trash: delete, restore (one and many), list, empty, the automatic purge after 30 days (on
 * a fake clock), and the stored bytes freed only once no asset refers to them.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Asset,
  AssetBuckets,
  AssetDetails,
  AssetPage,
  BulkAssetsResponse,
  CheckResponse,
  EmptyTrashResponse,
  TrashPage,
} from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import {
  api,
  authHeaders,
  corpusFile,
  createApiToken,
  createMember,
  createOwner,
  jobsIdle,
  listFiles,
  startServer,
  uploadCorpusFile,
  type Auth,
  type TestServer,
  type TusUploadInput,
  withServerDatabase,
} from './helpers';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('the trash', () => {
  let server: TestServer;
  /** The server's clock: tests move it forward. */
  let clock = new Date('2030-06-01T12:00:00.000Z').getTime();
  /** API tokens: unlike sessions, they do not expire when the clock jumps a month. */
  let owner: Auth;
  let member: Auth;
  let ownerId: string;

  const upload = async (
    filename: string,
    auth: Auth = owner,
    options: Partial<TusUploadInput> = {},
  ): Promise<string> => {
    const result = await uploadCorpusFile(server.baseUrl, auth, filename, options);
    if (!result.ok) throw new Error(`Uploading ${filename} failed: ${JSON.stringify(result.error)}`);
    return result.assetId;
  };
  const get = async <T>(url: string, auth: Auth = owner): Promise<{ status: number; body: T }> =>
    api<T>(server.baseUrl, 'GET', url, { auth });
  const timeline = async (auth: Auth = owner): Promise<string[]> =>
    (await get<AssetPage>('/api/assets?limit=500', auth)).body.items.map((item) => item.id);
  const trash = async (auth: Auth = owner): Promise<string[]> =>
    (await get<TrashPage>('/api/trash', auth)).body.items.map((item) => item.id);
  const blobs = (): Promise<string[]> => listFiles(path.join(server.dataDir, 'blobs'));
  const thumbs = (assetId: string): Promise<string[]> =>
    listFiles(path.join(server.dataDir, 'thumbs', ownerId, assetId));
  const advanceDays = async (days: number): Promise<void> => {
    clock += days * DAY_MS;
    await jobsIdle(server);
  };

  beforeAll(async () => {
    server = await startServer({ app: { now: () => new Date(clock) } });
    const account = await createOwner(server.baseUrl);
    ownerId = account.user.id;
    owner = { token: (await createApiToken(server.baseUrl, account.auth)).token };
    member = {
      token: (await createApiToken(server.baseUrl, (await createMember(server.baseUrl, account)).auth)).token,
    };
  });
  afterAll(async () => {
    await server.close();
  });

  it('moves an asset to the trash, out of the timeline and the dedup check, and back', async () => {
    const id = await upload('DSCN0010.jpg');
    await jobsIdle(server);
    const trashed = await api<Asset>(server.baseUrl, 'DELETE', `/api/assets/${id}`, { auth: owner });
    expect(trashed.status).toBe(200);
    expect(trashed.body).toMatchObject({ id, deletedAt: new Date(clock).toISOString() });

    expect(await timeline()).not.toContain(id);
    const buckets = await get<AssetBuckets>('/api/assets/buckets');
    expect(buckets.body.days.some((day) => day.day === '2008-10-22')).toBe(false);
    const page = await get<TrashPage>('/api/trash');
    expect(page.body).toMatchObject({ items: [{ id }], nextCursor: null, retentionDays: 30 });
    const check = await api<CheckResponse>(server.baseUrl, 'POST', '/api/assets/check', {
      auth: owner,
      body: { sourceSha256: [corpusFile('DSCN0010.jpg').sha256] },
    });
    expect(check.body.existing).toEqual([]);

    // The trash view still shows it, and it can still be downloaded.
    expect((await get<AssetDetails>(`/api/assets/${id}`)).body.deletedAt).not.toBeNull();
    const thumb = await fetch(`${server.baseUrl}/api/assets/${id}/thumb`, {
      headers: authHeaders(owner),
    });
    expect(thumb.status).toBe(200);
    await thumb.arrayBuffer();

    const again = await api<Asset>(server.baseUrl, 'DELETE', `/api/assets/${id}`, { auth: owner });
    expect(again.body.deletedAt).toBe(trashed.body.deletedAt);

    const restored = await api<Asset>(server.baseUrl, 'POST', `/api/assets/${id}/restore`, { auth: owner });
    expect(restored.status).toBe(200);
    expect(restored.body.deletedAt).toBeNull();
    expect(await timeline()).toContain(id);
    expect(await trash()).toEqual([]);
  });

  it('brings a photo back out of the trash when it is uploaded again, without a second copy', async () => {
    const id = await upload('Canon_40D.jpg');
    await api(server.baseUrl, 'DELETE', `/api/assets/${id}`, { auth: owner });
    const blobCount = (await blobs()).length;
    const again = await uploadCorpusFile(server.baseUrl, owner, 'Canon_40D.jpg');
    expect(again).toMatchObject({ ok: true, outcome: 'duplicate', assetId: id });
    expect((await get<Asset>(`/api/assets/${id}`)).body.deletedAt).toBeNull();
    expect(await blobs()).toHaveLength(blobCount);
  });

  it('trashes and restores many at once, ignoring ids that are not the caller’s', async () => {
    const first = await upload('Samsung GT-I9000 (Galaxy S).jpg');
    const second = await upload('fixture.gif');
    const theirs = await upload('Canon IXUS.jpg', member);
    const moved = await api<BulkAssetsResponse>(server.baseUrl, 'POST', '/api/assets/trash', {
      auth: owner,
      body: { ids: [first, second, theirs, 'no-such-asset', first] },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ ids: [first, second] });
    expect(await trash()).toEqual(expect.arrayContaining([first, second]));
    expect(await timeline(member)).toEqual([theirs]);

    const back = await api<BulkAssetsResponse>(server.baseUrl, 'POST', '/api/assets/restore', {
      auth: owner,
      body: { ids: [second, theirs] },
    });
    expect(back.body).toEqual({ ids: [second] });
    expect(await trash()).toEqual([first]);

    for (const ids of [[], Array.from({ length: 501 }, (_, i) => `id-${i}`)]) {
      const invalid = await api<ApiErrorBody>(server.baseUrl, 'POST', '/api/assets/trash', {
        auth: owner,
        body: { ids },
      });
      expect(invalid.status).toBe(400);
    }
    await api(server.baseUrl, 'POST', '/api/assets/restore', { auth: owner, body: { ids: [first] } });
  });

  it('pages through the trash, most recently trashed first', async () => {
    const ids = [
      await upload('Landscape_1.jpg'),
      await upload('Landscape_3.jpg'),
      await upload('Landscape_6.jpg'),
    ];
    for (const id of ids) {
      await api(server.baseUrl, 'DELETE', `/api/assets/${id}`, { auth: owner });
      clock += 1000;
    }
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: TrashPage } = await get<TrashPage>(
        `/api/trash?limit=2${cursor === '' ? '' : `&cursor=${cursor}`}`,
      );
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    await api(server.baseUrl, 'POST', '/api/assets/restore', { auth: owner, body: { ids } });
  });

  it('answers another user’s delete and restore with 404, and keeps each trash to its owner', async () => {
    const mine = await upload('Olympus μ Digital 800.JPG');
    await api(server.baseUrl, 'DELETE', `/api/assets/${mine}`, { auth: owner });
    for (const [method, url] of [
      ['DELETE', `/api/assets/${mine}`],
      ['POST', `/api/assets/${mine}/restore`],
    ] as const) {
      const response = await api<ApiErrorBody>(server.baseUrl, method, url, { auth: member });
      expect({ url, status: response.status, code: response.body.error.code }).toEqual({
        url,
        status: 404,
        code: 'ASSET_NOT_FOUND',
      });
    }
    expect(await trash(member)).toEqual([]);
    const emptied = await api<EmptyTrashResponse>(server.baseUrl, 'DELETE', '/api/trash', { auth: member });
    expect(emptied.body).toEqual({ purged: 0 });
    expect(await trash()).toContain(mine);
    await api(server.baseUrl, 'POST', `/api/assets/${mine}/restore`, { auth: owner });
  });

  it('empties the trash: the rows, jobs and thumbnails go, and the bytes once nothing refers to them', async () => {
    // The same bytes under two source hashes (two photos that Storage saver made identical):
    // two assets, one stored blob.
    const source = corpusFile('Portrait_2.jpg');
    const first = await upload('Portrait_2.jpg');
    const second = await upload('Portrait_2.jpg', owner, {
      sourceSha256: 'a'.repeat(64),
      filename: 'copy.jpg',
    });
    expect(second).not.toBe(first);
    await jobsIdle(server);
    const blobKey = path.join(ownerId, source.sha256.slice(0, 2), source.sha256);
    expect(await blobs()).toContain(blobKey);
    expect(await thumbs(first)).toHaveLength(2);

    await api(server.baseUrl, 'DELETE', `/api/assets/${first}`, { auth: owner });
    const emptied = await api<EmptyTrashResponse>(server.baseUrl, 'DELETE', '/api/trash', { auth: owner });
    expect(emptied.body).toEqual({ purged: 1 });
    expect((await get<ApiErrorBody>(`/api/assets/${first}`)).status).toBe(404);
    expect(await thumbs(first)).toEqual([]);
    expect(await blobs()).toContain(blobKey);
    const original = await fetch(`${server.baseUrl}/api/assets/${second}/original`, {
      headers: authHeaders(owner),
    });
    expect(original.status).toBe(200);
    await original.arrayBuffer();

    await api(server.baseUrl, 'DELETE', `/api/assets/${second}`, { auth: owner });
    expect(
      (await api<EmptyTrashResponse>(server.baseUrl, 'DELETE', '/api/trash', { auth: owner })).body,
    ).toEqual({ purged: 1 });
    expect(await blobs()).not.toContain(blobKey);
    expect(await thumbs(second)).toEqual([]);

    const jobs = await withServerDatabase(server.dataDir, (db) =>
      db.selectFrom('jobs').select('id').where('asset_id', 'in', [first, second]).execute(),
    );
    expect(jobs).toEqual([]);
  });

  it('purges by itself what has been in the trash for 30 days', async () => {
    const old = await upload('Landscape_8.jpg');
    const recent = await upload('Portrait_4.jpg');
    await jobsIdle(server);
    await api(server.baseUrl, 'DELETE', `/api/assets/${old}`, { auth: owner });
    const blobKey = path.join(
      ownerId,
      corpusFile('Landscape_8.jpg').sha256.slice(0, 2),
      corpusFile('Landscape_8.jpg').sha256,
    );

    await advanceDays(20);
    await api(server.baseUrl, 'DELETE', `/api/assets/${recent}`, { auth: owner });
    await advanceDays(9);
    expect(await trash()).toEqual(expect.arrayContaining([old, recent]));

    await advanceDays(2);
    const left = await trash();
    expect(left).not.toContain(old);
    expect(left).toContain(recent);
    expect((await get<ApiErrorBody>(`/api/assets/${old}`)).status).toBe(404);
    expect(await blobs()).not.toContain(blobKey);
    expect(await thumbs(old)).toEqual([]);

    await advanceDays(20);
    expect(await trash()).not.toContain(recent);
  });
});
