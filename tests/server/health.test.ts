/**
 * Issue 14: `GET /api/health` for load balancers: 200 while the process reaches its database and
 * its blob store, 503 naming the one it cannot reach, and 200 again once it is back.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthResponse } from '../../src/shared/api';
import { testDatabaseLocation, testPostgresUrl } from '../../src/server/db/testing';
import { DIALECT, api, startServer, type TestServer } from './helpers';

const health = (server: TestServer) => api<HealthResponse>(server.baseUrl, 'GET', '/api/health');

describe('the health endpoint', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers 200 while the database and the store answer, and is never cached', async () => {
    server = await startServer();
    const response = await health(server);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true, role: 'all', database: 'ok', store: 'ok' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 503 naming the store while the store cannot be read, and 200 once it can', async () => {
    server = await startServer();
    const blobs = path.join(server.dataDir, 'blobs');
    // A file where the store's folder should be: every read fails (ENOTDIR), as on a lost mount.
    await fs.rm(blobs, { recursive: true, force: true });
    await fs.writeFile(blobs, 'not a folder');
    const broken = await health(server);
    expect(broken.status).toBe(503);
    expect(broken.body).toEqual({ ok: false, role: 'all', database: 'ok', store: 'unavailable' });

    await fs.rm(blobs);
    await fs.mkdir(blobs);
    expect((await health(server)).status).toBe(200);
  });

  // SQLite lives in the process's own file: only PostgreSQL can be away while the process runs.
  if (DIALECT === 'postgres') {
    it('answers 503 naming the database while PostgreSQL refuses connections, and 200 once it takes them', async () => {
      server = await startServer();
      const location = testDatabaseLocation('postgres', server.dataDir);
      const name = location.dialect === 'postgres' ? new URL(location.url).pathname.slice(1) : '';
      const admin = new pg.Client({ connectionString: testPostgresUrl() ?? '' });
      await admin.connect();
      try {
        await admin.query(`alter database "${name}" allow_connections false`);
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [
          name,
        ]);
        const broken = await health(server);
        expect(broken.status).toBe(503);
        expect(broken.body).toEqual({ ok: false, role: 'all', database: 'unavailable', store: 'ok' });
      } finally {
        await admin.query(`alter database "${name}" allow_connections true`);
        await admin.end();
      }
      // The pool replaces the connections it lost.
      expect((await health(server)).body).toEqual({ ok: true, role: 'all', database: 'ok', store: 'ok' });
    });
  }
});
