/**
 * The background job queue through the real server: uploads are acknowledged before their
 * thumbnails exist, queued jobs survive a restart (and a crash mid-job), a job that keeps failing
 * stops, and assets stored before the queue existed get their metadata and thumbnails.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Migrator } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { AssetDetails } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { hashPassword } from '../../src/server/auth/password';
import { migrationProvider } from '../../src/server/db/migrations';
import { closeHeifDecoder } from '../../src/server/imaging';
import {
  api,
  corpusFile,
  createOwner,
  jobsIdle,
  login,
  makeTempDir,
  openServerDatabase,
  sessionCookie,
  startServer,
  uploadCorpusFile,
  withServerDatabase,
  type Account,
  type TestServer,
} from './helpers';

interface JobRecord {
  kind: string;
  asset_id: string | null;
  state: string;
  attempts: number;
  last_error: string | null;
}

/** The jobs in a server's database, read beside it, oldest first. */
async function readJobs(server: TestServer): Promise<JobRecord[]> {
  return withServerDatabase(server.dataDir, (db) =>
    db
      .selectFrom('jobs')
      .select(['kind', 'asset_id', 'state', 'attempts', 'last_error'])
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  );
}

async function thumbnailJobs(server: TestServer): Promise<JobRecord[]> {
  return (await readJobs(server)).filter((job) => job.kind === 'thumbnail');
}

/** Each asset's thumbnail job as [state, attempts]. */
async function thumbnailStates(server: TestServer): Promise<Map<string | null, [string, number]>> {
  return new Map((await thumbnailJobs(server)).map((job) => [job.asset_id, [job.state, job.attempts]]));
}

async function upload(server: TestServer, owner: Account, filename: string): Promise<string> {
  const result = await uploadCorpusFile(server.baseUrl, owner.auth, filename);
  if (!result.ok) throw new Error(`Uploading ${filename} failed: ${JSON.stringify(result.error)}`);
  return result.assetId;
}

async function details(server: TestServer, owner: Account, id: string): Promise<AssetDetails> {
  const response = await api<AssetDetails>(server.baseUrl, 'GET', `/api/assets/${id}`, { auth: owner.auth });
  expect(response.status).toBe(200);
  return response.body;
}

describe('the job queue', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
    await closeHeifDecoder();
  });

  it('acknowledges uploads at once and resumes their thumbnails after a restart, and after a crash', async () => {
    const first = await startServer({ app: { startJobs: false } });
    const owner = await createOwner(first.baseUrl);
    const photo = await upload(first, owner, 'Landscape_6.jpg');
    const heic = await upload(first, owner, 'heic-collection.heic');
    const broken = await upload(first, owner, 'beach.jpg');

    expect((await details(first, owner, photo)).thumb).toEqual({ state: 'pending' });
    const pending = await fetch(`${first.baseUrl}/api/assets/${photo}/thumb?size=l`, { headers: owner.auth });
    expect(pending.status).toBe(404);
    expect(pending.headers.get('cache-control')).toBe('no-store');
    expect(pending.headers.get('retry-after')).toBe('2');
    expect(((await pending.json()) as ApiErrorBody).error).toEqual({
      code: 'THUMB_PENDING',
      message: 'The preview is still being made. Try again in a moment.',
    });
    await first.stop();
    expect((await thumbnailJobs(first)).map((job) => job.state)).toEqual(['queued', 'queued', 'queued']);
    // As a crash leaves it: claimed by a worker that never finished.
    await withServerDatabase(first.dataDir, (db) =>
      db.updateTable('jobs').set({ state: 'running', attempts: 1 }).where('asset_id', '=', heic).execute(),
    );

    const second = await startServer({ dataDir: first.dataDir });
    servers.push(second);
    await jobsIdle(second);
    expect((await details(second, owner, photo)).thumb).toMatchObject({ state: 'ready' });
    expect((await details(second, owner, heic)).thumb).toMatchObject({ state: 'ready' });
    expect((await details(second, owner, broken)).thumb).toMatchObject({
      state: 'placeholder',
      code: 'undecodable',
    });
    expect(await thumbnailStates(second)).toEqual(
      new Map([
        [photo, ['done', 1]],
        [heic, ['done', 2]],
        [broken, ['done', 1]],
      ]),
    );
    const thumb = await fetch(`${second.baseUrl}/api/assets/${photo}/thumb?size=l`, { headers: owner.auth });
    expect(thumb.status).toBe(200);
    await thumb.arrayBuffer();
  });

  it('gives up on a job that keeps failing after five attempts, and shows a placeholder', async () => {
    const first = await startServer({ app: { startJobs: false } });
    const owner = await createOwner(first.baseUrl);
    const id = await upload(first, owner, 'Canon_40D.jpg');
    await first.stop();
    // The original disappears from under the server: reading it fails every time.
    const sha = corpusFile('Canon_40D.jpg').sha256;
    await fs.rm(path.join(first.dataDir, 'blobs', owner.user.id, sha.slice(0, 2), sha));

    let clock = Date.now();
    const second = await startServer({ dataDir: first.dataDir, app: { now: () => new Date(clock) } });
    servers.push(second);
    await jobsIdle(second);
    expect(await thumbnailJobs(second)).toMatchObject([{ state: 'queued', attempts: 1 }]);
    expect((await details(second, owner, id)).thumb).toEqual({ state: 'pending' });
    for (let hour = 0; hour < 8; hour += 1) {
      clock += 60 * 60 * 1000;
      await jobsIdle(second);
    }
    expect(await thumbnailJobs(second)).toMatchObject([
      { state: 'failed', attempts: 5, last_error: expect.stringContaining('ENOENT') },
    ]);
    expect((await details(second, owner, id)).thumb).toEqual({
      state: 'placeholder',
      code: 'failed',
      reason: 'The preview could not be made. The original is kept as it was.',
    });
  });

  it('reads the metadata and makes the thumbnails of assets stored before the queue existed', async () => {
    const dataDir = await makeTempDir();
    const source = corpusFile('DSCN0010.jpg');
    const userId = '11111111-1111-4111-8111-111111111111';
    const assetId = '22222222-2222-4222-8222-222222222222';
    const blobKey = `${userId}/${source.sha256.slice(0, 2)}/${source.sha256}`;
    const { db } = await openServerDatabase(dataDir, { migrate: false });
    try {
      const migrated = await new Migrator({ db, provider: migrationProvider }).migrateTo('0001_initial');
      expect(migrated.error).toBeUndefined();
      await db
        .insertInto('users')
        .values({
          id: userId,
          email: 'owner@example.com',
          name: 'Owner',
          password_hash: await hashPassword('owner password'),
          role: 'owner',
          created_at: '2024-01-01T00:00:00.000Z',
        })
        .execute();
      // The columns of 0001 only: what the first release stored.
      await db
        .insertInto('assets')
        .values({
          id: assetId,
          owner_id: userId,
          filename: source.filename,
          mime_type: 'image/jpeg',
          bytes: source.bytes,
          sha256: source.sha256,
          source_sha256: source.sha256,
          captured_at: '2008-10-22T14:28:39.000Z',
          uploaded_at: '2024-01-02T00:00:00.000Z',
          blob_key: blobKey,
        })
        .execute();
    } finally {
      await db.destroy();
    }
    await fs.mkdir(path.dirname(path.join(dataDir, 'blobs', blobKey)), { recursive: true });
    await fs.copyFile(source.path, path.join(dataDir, 'blobs', blobKey));

    const server = await startServer({ dataDir });
    servers.push(server);
    await jobsIdle(server);
    const session = await login(server.baseUrl, 'owner@example.com', 'owner password');
    const owner = { auth: { cookie: sessionCookie(session.headers) } } as Account;
    expect(await details(server, owner, assetId)).toMatchObject({
      // The wall-clock time from EXIF replaces what the first release stored.
      capturedAt: '2008-10-22T16:28:39.000Z',
      width: 640,
      height: 480,
      make: 'NIKON',
      model: 'COOLPIX P6000',
      location: { latitude: expect.any(Number), longitude: expect.any(Number) },
      thumb: { state: 'ready' },
      deletedAt: null,
    });
    expect((await readJobs(server)).filter((job) => job.asset_id === assetId)).toMatchObject([
      { kind: 'metadata', state: 'done' },
      { kind: 'thumbnail', state: 'done' },
    ]);
  });
});
