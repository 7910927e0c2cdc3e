/**
 * Public links (issue 16): an unguessable key; every route of the link's page checks the key,
 * the expiry and the password (thumbnails, originals and video ranges included) and reaches
 * nothing but the link's photos; revoking or expiring stops the very next request; no place or
 * camera details unless allowed, in the JSON and in the bytes; passwords stored hashed; views
 * counted; an Open Graph preview only without a password.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetBuckets } from '../../src/shared/api';
import type { Album } from '../../src/shared/albums';
import type { ApiErrorBody } from '../../src/shared/errors';
import type { LinkList, PublicAssetDetails, PublicAssetPage, SharedLink } from '../../src/shared/links';
import { readMetadata } from '../../src/server/imaging';
import {
  api,
  createMember,
  createOwner,
  jobsIdle,
  makeTempDir,
  readCorpusFile,
  sha256Hex,
  startServer,
  uploadCorpusFile,
  withServerDatabase,
  type Account,
  type TestServer,
} from './helpers';

const HOUR_MS = 60 * 60 * 1000;

describe('public links', () => {
  let server: TestServer;
  let staticDir: string;
  let clock = new Date('2030-03-01T12:00:00.000Z').getTime();
  let owner: Account;
  let member: Account;
  const ids: Record<string, string> = {};
  let album: Album;

  const call = async <T>(account: Account | null, method: string, url: string, body?: unknown) =>
    api<T>(server.baseUrl, method, url, { auth: account?.auth ?? null, body });
  /** A request from someone with no account: only the link's own cookie, if any. */
  const visit = async (
    url: string,
    options: { cookie?: string; range?: string; method?: string } = {},
  ): Promise<{ status: number; headers: Headers; body: Buffer; json: () => unknown }> => {
    const headers: Record<string, string> = {};
    if (options.cookie !== undefined) headers.cookie = options.cookie;
    if (options.range !== undefined) headers.range = options.range;
    const response = await fetch(`${server.baseUrl}${url}`, { method: options.method ?? 'GET', headers });
    const body = Buffer.from(await response.arrayBuffer());
    return {
      status: response.status,
      headers: response.headers,
      body,
      json: () => JSON.parse(body.toString()),
    };
  };
  const errorCode = (response: { json: () => unknown }): string =>
    (response.json() as ApiErrorBody).error.code;
  const newLink = async (body: Record<string, unknown>, account: Account = owner): Promise<SharedLink> => {
    const created = await call<SharedLink>(account, 'POST', '/api/links', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  };
  /** Every route the link's page uses, for one of its photos and its video. */
  const pageRoutes = (key: string): string[] => [
    `/api/s/${key}`,
    `/api/s/${key}/assets`,
    `/api/s/${key}/assets/buckets`,
    `/api/s/${key}/assets/${ids.gps}`,
    `/api/s/${key}/assets/${ids.gps}/thumb?size=s`,
    `/api/s/${key}/assets/${ids.gps}/thumb?size=l`,
    `/api/s/${key}/assets/${ids.video}/thumb?size=l`,
    `/api/s/${key}/assets/${ids.video}/original`,
  ];

  beforeAll(async () => {
    staticDir = await makeTempDir('shoebox-static-');
    await fs.writeFile(
      path.join(staticDir, 'index.html'),
      '<!doctype html><html><head><title>Shoebox</title></head><body></body></html>',
    );
    server = await startServer({
      env: { SHOEBOX_STATIC_DIR: staticDir },
      app: { now: () => new Date(clock) },
    });
    owner = await createOwner(server.baseUrl);
    member = await createMember(server.baseUrl, owner);
    for (const [name, file] of [
      ['gps', 'DSCN0010.jpg'],
      ['plain', 'no_exif.jpg'],
      ['private', 'Canon_40D.jpg'],
      ['video', 'with-gps.mp4'],
    ] as const) {
      const result = await uploadCorpusFile(server.baseUrl, owner.auth, file);
      if (!result.ok) throw new Error(JSON.stringify(result.error));
      ids[name] = result.assetId;
    }
    const memberPhoto = await uploadCorpusFile(server.baseUrl, member.auth, 'beach.jpg');
    if (!memberPhoto.ok) throw new Error(JSON.stringify(memberPhoto.error));
    ids.members = memberPhoto.assetId;
    // The video's poster frame, as the app sends it: its thumbnails are then a picture.
    const poster = await sharp({ create: { width: 64, height: 36, channels: 3, background: '#456' } })
      .jpeg()
      .toBuffer();
    await fetch(`${server.baseUrl}/api/assets/${ids.video}/poster`, {
      method: 'POST',
      headers: { cookie: owner.auth.cookie, 'content-type': 'image/jpeg' },
      body: new Uint8Array(poster),
    });
    await jobsIdle(server);
    album = (
      await call<Album>(owner, 'POST', '/api/albums', {
        name: 'Road trip',
        description: 'Three days on the coast',
        assetIds: [ids.gps, ids.plain, ids.video],
      })
    ).body;
    await call(owner, 'PATCH', `/api/albums/${album.id}`, { coverAssetId: ids.gps });
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(staticDir, { recursive: true, force: true });
  });

  it('makes a link with a key of at least 128 random bits, listed with its views and last use', async () => {
    const link = await newLink({ albumId: album.id });
    expect(link).toMatchObject({
      title: 'Road trip',
      albumId: album.id,
      count: 3,
      hasPassword: false,
      expiresAt: null,
      allowDownload: false,
      showDetails: false,
      showPlace: false,
      views: 0,
      lastUsedAt: null,
    });
    expect(link.key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(link.key, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(link.path).toBe(`/s/${link.key}`);
    const other = await newLink({ albumId: album.id });
    expect(other.key).not.toBe(link.key);

    const opened = await visit(`/api/s/${link.key}`);
    expect(opened.status).toBe(200);
    expect(opened.json()).toMatchObject({
      title: 'Road trip',
      description: 'Three days on the coast',
      kind: 'album',
      count: 3,
      allowDownload: false,
      cover: { assetId: ids.gps },
    });
    await visit(`/api/s/${link.key}`);
    const listed = await call<LinkList>(owner, 'GET', '/api/links');
    expect(listed.body.links.find((item) => item.id === link.id)).toMatchObject({
      views: 2,
      lastUsedAt: new Date(clock).toISOString(),
    });
    // Another account sees none of them.
    expect((await call<LinkList>(member, 'GET', '/api/links')).body.links).toEqual([]);
  });

  it('shows the page to someone with no account: photos, day counts, thumbnails, video ranges', async () => {
    const link = await newLink({ albumId: album.id });
    const page = await visit(`/api/s/${link.key}/assets`);
    expect(page.status).toBe(200);
    const items = (page.json() as PublicAssetPage).items;
    expect(items.map((item) => item.id).sort()).toEqual([ids.gps, ids.plain, ids.video].sort());
    // Nothing about the owner or the storage, and no file names with details off.
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(
        [
          'capturedAt',
          'capturedOffsetMinutes',
          'durationSeconds',
          'filename',
          'height',
          'id',
          'mimeType',
          'rotation',
          'thumb',
          'width',
        ].sort(),
      );
      expect(item.filename).toBeNull();
    }
    const buckets = (await visit(`/api/s/${link.key}/assets/buckets`)).json() as AssetBuckets;
    expect(buckets.total).toBe(3);
    const thumb = await visit(`/api/s/${link.key}/assets/${ids.gps}/thumb?size=s`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    // Revalidated every time, never kept as immutable: a revoked link must stop at once.
    expect(thumb.headers.get('cache-control')).toBe('private, no-cache');
    const range = await visit(`/api/s/${link.key}/assets/${ids.video}/original`, { range: 'bytes=0-99' });
    expect(range.status).toBe(206);
    expect(range.body.length).toBe(100);
    expect(range.headers.get('content-range')).toMatch(/^bytes 0-99\/\d+$/);
  });

  it('reaches nothing but the link’s photos, and nothing of a trashed one until it is restored', async () => {
    const link = await newLink({ assetIds: [ids.plain] });
    expect(link).toMatchObject({ title: 'Photos', albumId: null, count: 1 });
    for (const id of [ids.gps, ids.private, ids.members, 'no-such-asset']) {
      for (const suffix of ['', '/thumb?size=s', '/original']) {
        const response = await visit(`/api/s/${link.key}/assets/${id}${suffix}`);
        expect(response.status, `${id}${suffix}`).toBe(404);
        expect(errorCode(response)).toBe('ASSET_NOT_FOUND');
      }
    }
    // The owner's own routes stay closed to the visitor.
    expect((await visit(`/api/assets/${ids.plain}/thumb?size=s`)).status).toBe(401);
    expect((await visit('/api/assets')).status).toBe(401);

    await call(owner, 'DELETE', `/api/assets/${ids.plain}`);
    expect(((await visit(`/api/s/${link.key}/assets`)).json() as PublicAssetPage).items).toEqual([]);
    expect((await visit(`/api/s/${link.key}/assets/${ids.plain}/thumb?size=s`)).status).toBe(404);
    expect(
      (await call<LinkList>(owner, 'GET', '/api/links')).body.links.find((l) => l.id === link.id)?.count,
    ).toBe(0);
    await call(owner, 'POST', `/api/assets/${ids.plain}/restore`);
    expect((await visit(`/api/s/${link.key}/assets/${ids.plain}/thumb?size=s`)).status).toBe(200);
  });

  it('stops working on the very next request once revoked, thumbnails and video ranges included', async () => {
    const link = await newLink({ albumId: album.id });
    for (const url of pageRoutes(link.key)) expect((await visit(url)).status, url).toBeLessThan(300);
    expect((await call(owner, 'DELETE', `/api/links/${link.id}`)).status).toBe(204);
    for (const url of pageRoutes(link.key)) {
      const response = await visit(url, { range: 'bytes=0-99' });
      expect(response.status, url).toBe(404);
      expect(errorCode(response)).toBe('LINK_UNAVAILABLE');
    }
    expect((await call<LinkList>(owner, 'GET', '/api/links')).body.links.map((l) => l.id)).not.toContain(
      link.id,
    );
  });

  it('stops working on the very next request once expired', async () => {
    const link = await newLink({ albumId: album.id, expiresAt: new Date(clock + HOUR_MS).toISOString() });
    for (const url of pageRoutes(link.key)) expect((await visit(url)).status, url).toBeLessThan(300);
    clock += HOUR_MS;
    for (const url of pageRoutes(link.key)) {
      const response = await visit(url, { range: 'bytes=0-99' });
      expect(response.status, url).toBe(404);
      expect(errorCode(response)).toBe('LINK_UNAVAILABLE');
    }
    // Moving the expiry on brings it back.
    await call(owner, 'PATCH', `/api/links/${link.id}`, {
      expiresAt: new Date(clock + HOUR_MS).toISOString(),
    });
    expect((await visit(`/api/s/${link.key}`)).status).toBe(200);
  });

  it('with a password, refuses every route without it, and a changed password ends earlier access', async () => {
    const link = await newLink({ albumId: album.id, password: 'sea breeze' });
    expect(link.hasPassword).toBe(true);
    for (const url of pageRoutes(link.key)) {
      const response = await visit(url, { range: 'bytes=0-99' });
      expect(response.status, url).toBe(401);
      expect(errorCode(response)).toBe('LINK_PASSWORD_REQUIRED');
    }
    const forged = await visit(pageRoutes(link.key)[4]!, { cookie: 'shoebox_link=forged' });
    expect(forged.status).toBe(401);

    const wrong = await api<ApiErrorBody>(server.baseUrl, 'POST', `/api/s/${link.key}/unlock`, {
      body: { password: 'land breeze' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('LINK_PASSWORD_WRONG');
    const right = await api(server.baseUrl, 'POST', `/api/s/${link.key}/unlock`, {
      body: { password: 'sea breeze' },
    });
    expect(right.status).toBe(204);
    const setCookie = right.headers.getSetCookie()[0] ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toContain(`Path=/api/s/${link.key}`);
    const cookie = setCookie.split(';')[0] ?? '';
    for (const url of pageRoutes(link.key))
      expect((await visit(url, { cookie })).status, url).toBeLessThan(300);
    // The cookie proves this link's password, not another's.
    const second = await newLink({ albumId: album.id, password: 'sea breeze' });
    expect((await visit(`/api/s/${second.key}`, { cookie })).status).toBe(401);

    // A link's password is held to the rules of account passwords.
    const weak = await call<ApiErrorBody>(owner, 'PATCH', `/api/links/${link.id}`, { password: 'password' });
    expect(weak.body.error.code).toBe('WEAK_PASSWORD');
    await call(owner, 'PATCH', `/api/links/${link.id}`, { password: 'storm over the old lighthouse' });
    expect((await visit(`/api/s/${link.key}/assets/${ids.gps}/thumb?size=s`, { cookie })).status).toBe(401);
    // Removing the password opens it to everyone.
    await call(owner, 'PATCH', `/api/links/${link.id}`, { password: null });
    expect((await visit(`/api/s/${link.key}`)).status).toBe(200);
  });

  it('slows down guessing a link password', async () => {
    const link = await newLink({ assetIds: [ids.plain], password: 'right one' });
    const attempt = async (password: string) =>
      api<ApiErrorBody>(server.baseUrl, 'POST', `/api/s/${link.key}/unlock`, { body: { password } });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess ${i}`)).status).toBe(401);
    const blocked = await attempt('right one');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
  });

  it('keeps link passwords hashed like account passwords, never in plain text', async () => {
    const password = 'a very particular phrase';
    const link = await newLink({ assetIds: [ids.plain], password });
    const rows = await withServerDatabase(server.dataDir, (db) =>
      db.selectFrom('shared_links').selectAll().execute(),
    );
    const row = rows.find((candidate) => candidate.id === link.id);
    expect(row?.password_hash).toMatch(/^scrypt\$/);
    // Nowhere in any link's row, whatever the column.
    expect(JSON.stringify(rows)).not.toContain(password);
  });

  it('shows no place or camera details unless allowed, in the answers and in the bytes', async () => {
    const hidden = await newLink({ albumId: album.id, allowDownload: true });
    const details = (await visit(`/api/s/${hidden.key}/assets/${ids.gps}`)).json() as PublicAssetDetails;
    expect(details).toMatchObject({
      make: null,
      model: null,
      lens: null,
      location: null,
      place: null,
      bytes: null,
    });
    // A download is a copy without the photo's metadata.
    const photo = await visit(`/api/s/${hidden.key}/assets/${ids.gps}/original?download=true`);
    expect(photo.status).toBe(200);
    const photoFile = path.join(server.dataDir, 'downloaded.jpg');
    await fs.writeFile(photoFile, photo.body);
    const photoMeta = await readMetadata(photoFile, 'image/jpeg');
    expect(photoMeta).toMatchObject({ gps: null, make: null, model: null });
    expect((await sharp(photo.body).metadata()).exif).toBeUndefined();
    // The video plays without the place it was shot, its length and offsets unchanged.
    const stored = await readCorpusFile('with-gps.mp4');
    const place = '+51.4169-000.0806';
    expect(stored.includes(place, 0, 'latin1')).toBe(true);
    const video = await visit(`/api/s/${hidden.key}/assets/${ids.video}/original`);
    expect(video.body.length).toBe(stored.length);
    expect(video.body.includes(place, 0, 'latin1')).toBe(false);
    const videoFile = path.join(server.dataDir, 'downloaded.mp4');
    await fs.writeFile(videoFile, video.body);
    expect(await readMetadata(videoFile, 'video/mp4')).toMatchObject({
      gps: null,
      width: 1920,
      height: 1080,
    });
    // A range in the middle is patched the same way.
    const whole = video.body;
    const middle = await visit(`/api/s/${hidden.key}/assets/${ids.video}/original`, {
      range: `bytes=1000-${whole.length - 1}`,
    });
    expect(middle.body.equals(whole.subarray(1000))).toBe(true);
    // Thumbnails never carry metadata.
    expect(
      (await sharp((await visit(`/api/s/${hidden.key}/assets/${ids.gps}/thumb?size=l`)).body).metadata())
        .exif,
    ).toBeUndefined();

    const open = await newLink({
      albumId: album.id,
      allowDownload: true,
      showDetails: true,
      showPlace: true,
    });
    const full = (await visit(`/api/s/${open.key}/assets/${ids.gps}`)).json() as PublicAssetDetails;
    expect(full).toMatchObject({
      make: 'NIKON',
      filename: 'DSCN0010.jpg',
      location: { latitude: expect.any(Number) },
      place: { countryCode: expect.any(String) },
    });
    const original = await visit(`/api/s/${open.key}/assets/${ids.gps}/original?download=true`);
    expect(sha256Hex(original.body)).toBe(sha256Hex(await readCorpusFile('DSCN0010.jpg')));
    const placeOnly = await newLink({ albumId: album.id, showPlace: true });
    expect((await visit(`/api/s/${placeOnly.key}/assets/${ids.gps}`)).json()).toMatchObject({
      make: null,
      location: { latitude: expect.any(Number) },
    });
    const fullVideo = await visit(`/api/s/${open.key}/assets/${ids.video}/original`);
    expect(fullVideo.body.equals(stored)).toBe(true);
  });

  it('refuses downloads unless allowed, but still plays videos', async () => {
    const link = await newLink({ albumId: album.id });
    const photo = await visit(`/api/s/${link.key}/assets/${ids.gps}/original`);
    expect(photo.status).toBe(403);
    expect(errorCode(photo)).toBe('DOWNLOAD_NOT_ALLOWED');
    const videoDownload = await visit(`/api/s/${link.key}/assets/${ids.video}/original?download=true`);
    expect(videoDownload.status).toBe(403);
    expect(
      (await visit(`/api/s/${link.key}/assets/${ids.video}/original`, { range: 'bytes=0-9' })).status,
    ).toBe(206);
  });

  it("answers 404 for another user's link, album or photos, and 401 without an account", async () => {
    const link = await newLink({ albumId: album.id });
    expect((await call<ApiErrorBody>(member, 'PATCH', `/api/links/${link.id}`, { title: 'x' })).status).toBe(
      404,
    );
    expect((await call<ApiErrorBody>(member, 'DELETE', `/api/links/${link.id}`)).status).toBe(404);
    expect((await visit(`/api/s/${link.key}`)).status).toBe(200);
    const notTheirs = await call<ApiErrorBody>(member, 'POST', '/api/links', { albumId: album.id });
    expect(notTheirs.body.error.code).toBe('ALBUM_NOT_FOUND');
    const othersPhotos = await call<ApiErrorBody>(member, 'POST', '/api/links', { assetIds: [ids.plain] });
    expect(othersPhotos.status).toBe(404);
    expect((await call(null, 'GET', '/api/links')).status).toBe(401);
    expect((await call(null, 'POST', '/api/links', { albumId: album.id })).status).toBe(401);
    const neither = await call<ApiErrorBody>(owner, 'POST', '/api/links', {});
    expect(neither.status).toBe(400);
    expect((await visit('/api/s/short')).status).toBe(400);
  });

  it('gives the page an Open Graph preview only when the link has no password', async () => {
    const open = await newLink({ albumId: album.id });
    const page = await visit(`/s/${open.key}`);
    expect(page.status).toBe(200);
    const html = page.body.toString();
    expect(html).toContain('<meta property="og:title" content="Road trip">');
    expect(html).toContain(
      `<meta property="og:image" content="${server.baseUrl}/api/s/${open.key}/assets/${ids.gps}/thumb?size=l">`,
    );
    expect(page.headers.get('x-robots-tag')).toContain('noindex');
    const viewsBefore = (await call<LinkList>(owner, 'GET', '/api/links')).body.links.find(
      (l) => l.id === open.id,
    )?.views;
    expect(viewsBefore).toBe(0);

    const locked = await newLink({ albumId: album.id, password: 'lanterns in the orchard' });
    const lockedHtml = (await visit(`/s/${locked.key}`)).body.toString();
    expect(lockedHtml).not.toContain('og:');
    expect(lockedHtml).not.toContain('Road trip');

    await call(owner, 'DELETE', `/api/links/${open.id}`);
    const gone = await visit(`/s/${open.key}`);
    expect(gone.status).toBe(404);
    expect(gone.body.toString()).not.toContain('og:');
  });
});
