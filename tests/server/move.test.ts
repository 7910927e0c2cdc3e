/**
 * Issue 14: `npm run migrate -- --to postgres://…` moves a SQLite installation to PostgreSQL: the
 * command as an operator runs it, on a seeded installation, cut short once by a failing
 * PostgreSQL and run again; the library, sessions, thumbnails and hashes are the same afterwards.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetPage } from '../../src/shared/api';
import { buildApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { openDatabase, type Db } from '../../src/server/db';
import { dropTestDatabase, ensureTestDatabase } from '../../src/server/db/testing';
import { startTestS3 } from '../../src/server/storage/s3-testing';
import {
  DIALECT,
  REPO_ROOT,
  api,
  createApiToken,
  createOwner,
  listFiles,
  makeTempDir,
  sha256Hex,
  uploadCorpusFile,
  type Account,
} from './helpers';

const PHOTOS = ['Landscape_1.jpg', 'Portrait_5.jpg', 'canon-dslr.jpg', 'IMG_5195.HEIC', 'with-gps.mp4'];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run migrate -- …args` as an operator runs it, on the installation in `dataDir`. */
function migrate(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'migrate', '--', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, SHOEBOX_DATA_DIR: dataDir, DATABASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run migrate, refusing', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await makeTempDir('shoebox-move-');
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('says what it needs when the target is not a PostgreSQL URL', async () => {
    const run = await migrate(dataDir, ['--to', path.join(dataDir, 'other.sqlite')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--to must name a PostgreSQL database.');
    expect(run.stderr).toContain('Usage: npm run migrate -- --to postgres://');
  });

  it('refuses to move an installation that already runs on PostgreSQL', async () => {
    const run = await migrate(dataDir, ['--to', 'postgres://127.0.0.1/x'], {
      DATABASE_URL: 'postgres://127.0.0.1/y',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL is set: this installation already runs on PostgreSQL.');
  });
});

if (DIALECT === 'postgres') {
  describe('npm run migrate, from SQLite to PostgreSQL', () => {
    let dataDir: string;
    let targetDir: string;
    let targetUrl = '';
    let owner: Account;
    let token = '';
    let library: AssetPage;
    const thumbs = new Map<string, string>();

    /** The installation in `dataDir` served on `env`'s database while `task` runs. */
    async function serving<T>(
      env: Record<string, string>,
      task: (baseUrl: string, app: FastifyInstance) => Promise<T>,
    ): Promise<T> {
      const app = await buildApp(
        loadConfig({
          SHOEBOX_DATA_DIR: dataDir,
          SHOEBOX_STATIC_DIR: path.join(dataDir, 'no-app'),
          LOG_LEVEL: 'silent',
          ...env,
        }),
      );
      try {
        await app.listen({ port: 0, host: '127.0.0.1' });
        const address = app.server.address();
        if (address === null || typeof address === 'string') throw new Error('No port.');
        const baseUrl = `http://127.0.0.1:${address.port}`;
        return await task(baseUrl, app);
      } finally {
        await app.close();
      }
    }

    const thumbHashes = async (baseUrl: string, page: AssetPage): Promise<Map<string, string>> => {
      const hashes = new Map<string, string>();
      for (const asset of page.items) {
        const response = await fetch(`${baseUrl}/api/assets/${asset.id}/thumb?size=s`, {
          headers: { cookie: owner.auth.cookie },
        });
        expect(response.status).toBe(200);
        hashes.set(asset.id, sha256Hex(new Uint8Array(await response.arrayBuffer())));
      }
      return hashes;
    };

    beforeAll(async () => {
      dataDir = await makeTempDir('shoebox-move-');
      targetDir = await makeTempDir('shoebox-move-target-');
      const target = await ensureTestDatabase('postgres', targetDir);
      if (target.dialect !== 'postgres') throw new Error('Expected PostgreSQL.');
      targetUrl = target.url;
      // The installation: SQLite and files under its data directory, as `npm start` makes it.
      await serving({}, async (baseUrl, app) => {
        owner = await createOwner(baseUrl);
        token = (await createApiToken(baseUrl, owner.auth)).token;
        for (const filename of PHOTOS) {
          const result = await uploadCorpusFile(baseUrl, owner.auth, filename);
          if (!result.ok) throw new Error(`Uploading ${filename} failed: ${JSON.stringify(result.error)}`);
        }
        await app.jobs.idle();
      });
      await serving({}, async (baseUrl) => {
        const page = await api<AssetPage>(baseUrl, 'GET', '/api/assets', { auth: owner.auth });
        library = page.body;
        for (const [id, hash] of await thumbHashes(baseUrl, library)) thumbs.set(id, hash);
      });
    }, 180_000);
    afterAll(async () => {
      await dropTestDatabase('postgres', targetDir);
      await fs.rm(dataDir, { recursive: true, force: true });
      await fs.rm(targetDir, { recursive: true, force: true });
    });

    it('is cut short by a failing PostgreSQL, carries on when run again, and the library is the same', async () => {
      expect(library.items).toHaveLength(PHOTOS.length);
      // PostgreSQL fails every insert of assets, as a lost connection would, once.
      const prepared = await openDatabase({ dialect: 'postgres', url: targetUrl });
      const target: Db = prepared.db;
      try {
        await sql
          .raw(
            `create function shoebox_test_refuse() returns trigger language plpgsql as $$
               begin raise exception 'the connection to the server was lost'; end $$;
             create trigger shoebox_test_refuse before insert on assets
               for each statement execute function shoebox_test_refuse();`,
          )
          .execute(target);
        const cut = await migrate(dataDir, ['--to', targetUrl]);
        expect(cut.status).toBe(1);
        expect(cut.stderr).toContain('the connection to the server was lost');
        expect(cut.stderr).toContain('run it again');
        expect(cut.stdout).toContain('users: 1 rows (1 added by this run)');
        expect(await target.selectFrom('assets').select('id').execute()).toEqual([]);

        await sql
          .raw('drop trigger shoebox_test_refuse on assets; drop function shoebox_test_refuse();')
          .execute(target);
        const again = await migrate(dataDir, ['--to', targetUrl]);
        expect(again.stderr).toBe('');
        expect(again.status).toBe(0);
        // What the first run copied is not copied twice.
        expect(again.stdout).toContain('users: 1 rows (0 added by this run)');
        expect(again.stdout).toContain(`assets: ${PHOTOS.length} rows (${PHOTOS.length} added by this run)`);
        expect(again.stdout).toContain(`originals checked: ${PHOTOS.length} of ${PHOTOS.length}`);
        expect(again.stdout).not.toContain(':secret@');
      } finally {
        await target.destroy();
      }

      // Every row of every table, the same on both sides.
      const source = await openDatabase({ dialect: 'sqlite', file: path.join(dataDir, 'shoebox.sqlite') });
      const moved = await openDatabase({ dialect: 'postgres', url: targetUrl });
      try {
        for (const table of [
          'users',
          'sessions',
          'api_tokens',
          'assets',
          'jobs',
          'blobs',
          'finished_uploads',
        ] as const) {
          const rows = async (db: Db) =>
            (await db.selectFrom(table).selectAll().execute()).map((row) => JSON.stringify(row)).sort();
          expect({ table, rows: await rows(moved.db) }).toEqual({ table, rows: await rows(source.db) });
        }
      } finally {
        await source.db.destroy();
        await moved.db.destroy();
      }

      // The library as the owner sees it, signed in before the move, and a script's token.
      await serving({ DATABASE_URL: targetUrl }, async (baseUrl) => {
        const page = await api<AssetPage>(baseUrl, 'GET', '/api/assets', { auth: owner.auth });
        expect(page.status).toBe(200);
        expect(page.body).toEqual(library);
        expect(await thumbHashes(baseUrl, page.body)).toEqual(thumbs);
        for (const asset of library.items) {
          const original = await fetch(`${baseUrl}/api/assets/${asset.id}/original`, {
            headers: { authorization: `Bearer ${token}` },
          });
          expect(original.status).toBe(200);
          expect(sha256Hex(new Uint8Array(await original.arrayBuffer()))).toBe(asset.sha256);
        }
      });
    });

    it('with --s3, copies the originals and thumbnails into the bucket, each read back, and once only', async () => {
      const s3 = await startTestS3();
      const s3Dir = await makeTempDir('shoebox-move-s3-');
      try {
        const target = await ensureTestDatabase('postgres', s3Dir);
        if (target.dialect !== 'postgres') throw new Error('Expected PostgreSQL.');
        const { location } = s3;
        const s3Env = {
          S3_ENDPOINT: location.endpoint ?? '',
          S3_BUCKET: location.bucket,
          S3_REGION: location.region,
          S3_ACCESS_KEY_ID: location.credentials?.accessKeyId ?? '',
          S3_SECRET_ACCESS_KEY: location.credentials?.secretAccessKey ?? '',
          S3_FORCE_PATH_STYLE: 'true',
        };
        const first = await migrate(dataDir, ['--to', target.url, '--s3'], s3Env);
        // (The AWS SDK may warn about Node's version on stderr: the status tells.)
        expect({ status: first.status, stderr: first.stderr }).toMatchObject({ status: 0 });
        const thumbFiles = (await listFiles(path.join(dataDir, 'thumbs'))).length;
        expect(thumbFiles).toBeGreaterThanOrEqual(library.items.length);
        expect(first.stdout).toContain(`thumbnails copied and checked: ${thumbFiles} of ${thumbFiles}`);
        expect(first.stdout).toContain(
          `objects put into the bucket by this run: ${PHOTOS.length + thumbFiles}`,
        );
        const puts = s3.requests.filter((request) => request.startsWith('PUT ')).length;

        // Run again (as after an interruption): every object is checked, none is put twice.
        const again = await migrate(dataDir, ['--to', target.url, '--s3'], s3Env);
        expect(again.status).toBe(0);
        expect(again.stdout).toContain('objects put into the bucket by this run: 0');
        expect(s3.requests.filter((request) => request.startsWith('PUT ')).length).toBe(puts);

        // Served from PostgreSQL and the bucket alone: the data directory's photos are put away.
        await fs.rename(path.join(dataDir, 'blobs'), path.join(s3Dir, 'blobs'));
        await fs.rename(path.join(dataDir, 'thumbs'), path.join(s3Dir, 'thumbs'));
        try {
          await serving({ DATABASE_URL: target.url, ...s3Env }, async (baseUrl) => {
            const page = await api<AssetPage>(baseUrl, 'GET', '/api/assets', { auth: owner.auth });
            expect(page.body).toEqual(library);
            expect(await thumbHashes(baseUrl, page.body)).toEqual(thumbs);
            for (const asset of library.items) {
              const original = await fetch(`${baseUrl}/api/assets/${asset.id}/original`, {
                headers: { authorization: `Bearer ${token}` },
              });
              expect(sha256Hex(new Uint8Array(await original.arrayBuffer()))).toBe(asset.sha256);
            }
          });
        } finally {
          await fs.rename(path.join(s3Dir, 'blobs'), path.join(dataDir, 'blobs'));
          await fs.rename(path.join(s3Dir, 'thumbs'), path.join(dataDir, 'thumbs'));
        }
      } finally {
        await s3.close();
        await dropTestDatabase('postgres', s3Dir);
        await fs.rm(s3Dir, { recursive: true, force: true });
      }
    });
  });
}
