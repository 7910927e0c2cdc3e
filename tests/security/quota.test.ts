/**
 * Issue 18, the abuse suite on storage: a member with a quota exhausts it (413 with a sentence at
 * creation, nothing more stored); a member without one tries to hold 500 uploads of 10 GB open
 * (refused past the cap); a creation cut off mid-body leaves no partial upload behind.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset } from '../../src/shared/api';
import type { ApiErrorBody } from '../../src/shared/errors';
import { TUS_ENDPOINT } from '../../src/shared/tus';
import { MAX_UNFINISHED_UPLOADS } from '../../src/server/uploads/allowance';
import {
  api,
  authHeaders,
  createMember,
  createOwner,
  encodeMetadata,
  listFiles,
  readCorpusFile,
  startServer,
  tusUpload,
  withServerDatabase,
  type Account,
  type TestServer,
} from '../server/helpers';
import { record, tally } from '../support/probe-table';

let server: TestServer;
let owner: Account;

beforeAll(async () => {
  server = await startServer();
  owner = await createOwner(server.baseUrl, { password: 'a strong owner password' });
});
afterAll(async () => {
  await server.close();
});

const PHOTOS = ['Canon_40D.jpg', 'DSCN0010.jpg', 'Nexus 4.jpg', 'canon-dslr.jpg', 'HTC One.jpg'];

describe('quota exhaustion', () => {
  it('stores up to the quota, then refuses at creation with a sentence and stores nothing more', async () => {
    const member = await createMember(server.baseUrl, owner, 'quota@example.com');
    const quota = 5_000_000;
    await withServerDatabase(server.dataDir, (db) =>
      db.updateTable('users').set({ quota_bytes: quota }).where('id', '=', member.user.id).execute(),
    );
    const seen: string[] = [];
    let refusal = '';
    for (const name of PHOTOS) {
      const result = await tusUpload(server.baseUrl, member.auth, {
        bytes: await readCorpusFile(name),
        filename: name,
        type: 'image/jpeg',
      });
      seen.push(result.ok ? 'stored' : `${result.status} ${result.error.error.code}`);
      if (!result.ok) refusal = result.error.error.message;
    }
    const library = await api<{ items: Asset[] }>(server.baseUrl, 'GET', '/api/assets', {
      auth: member.auth,
    });
    const used = library.body.items.reduce((sum, asset) => sum + asset.bytes, 0);
    const uploads = (await listFiles(`${server.dataDir}/uploads`)).filter((file) =>
      file.startsWith(member.user.id),
    );
    record({
      area: 'quota',
      did: `${PHOTOS.length} photos (${PHOTOS.join(', ')}) against a 5 MB quota`,
      saw: `${tally(seen)}; used ${used} B; partial uploads left: ${uploads.length}; “${refusal}”`,
      ok: used <= quota && seen.includes('413 QUOTA_EXCEEDED') && uploads.length === 0,
    });
    expect(seen).toContain('413 QUOTA_EXCEEDED');
    expect(used).toBeLessThanOrEqual(quota);
    expect(refusal).toMatch(/^This file \(.+\) would go over your storage quota: .+ of 5 MB used\./);
    expect(uploads).toEqual([]);
  });

  it(`refuses unfinished uploads past ${MAX_UNFINISHED_UPLOADS} per user, whatever they declare`, async () => {
    const member = await createMember(server.baseUrl, owner, 'hoarder@example.com');
    const statuses: number[] = [];
    for (let i = 0; i < 500; i += 1) {
      const created = await fetch(`${server.baseUrl}${TUS_ENDPOINT}`, {
        method: 'POST',
        headers: {
          ...authHeaders(member.auth),
          origin: server.baseUrl,
          'tus-resumable': '1.0.0',
          'upload-length': String(10_000_000_000),
          'upload-metadata': encodeMetadata({ filename: `video${i}.mp4`, type: 'video/mp4' }),
        },
      });
      statuses.push(created.status);
      await created.arrayBuffer();
    }
    const created = statuses.filter((status) => status === 201).length;
    record({
      area: 'unfinished cap',
      did: '500 creations declaring 10 GB each (5 TB), no quota set',
      saw: tally(statuses),
      ok: created === MAX_UNFINISHED_UPLOADS,
    });
    expect(created).toBe(MAX_UNFINISHED_UPLOADS);
    expect(
      statuses.filter((status) => status !== 201).every((status) => status === 429 || status === 507),
    ).toBe(true);
  });
});

describe('orphaned partial uploads', () => {
  it('removes at once the upload of a creation cut off mid-body', async () => {
    const member = await createMember(server.baseUrl, owner, 'cut@example.com');
    const bytes = await readCorpusFile('Nexus 4.jpg');
    const url = new URL(server.baseUrl);
    const cuts = 10;
    for (let i = 0; i < cuts; i += 1) {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            `POST ${TUS_ENDPOINT} HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${member.auth.cookie}\r\n` +
              `Origin: ${server.baseUrl}\r\nTus-Resumable: 1.0.0\r\nUpload-Length: ${bytes.length}\r\n` +
              `Upload-Metadata: ${encodeMetadata({ filename: `cut${i}.jpg`, type: 'image/jpeg' })}\r\n` +
              `Content-Type: application/offset+octet-stream\r\nContent-Length: ${bytes.length}\r\n\r\n`,
          );
          // Half the body, then the connection goes, as a phone's would in a tunnel.
          socket.write(bytes.subarray(0, bytes.length / 2), () => setTimeout(() => socket.destroy(), 200));
        });
        socket.on('error', () => undefined);
        socket.once('close', () => resolve());
      });
    }
    // The server notices the cut when the body stream errors; give it the moment it takes.
    let left: string[] = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      left = (await listFiles(`${server.dataDir}/uploads`)).filter((file) => file.startsWith(member.user.id));
      if (left.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const whole = await tusUpload(server.baseUrl, member.auth, {
      bytes,
      filename: 'Nexus 4.jpg',
      type: 'image/jpeg',
      dataDuringCreation: true,
    });
    record({
      area: 'orphaned uploads',
      did: `${cuts} creations with the photo, cut off half way through the body`,
      saw: `partial uploads left: ${left.length}; the same photo whole afterwards: ${whole.ok ? 'stored' : 'refused'}`,
      ok: left.length === 0 && whole.ok,
    });
    expect(left).toEqual([]);
    expect(whole.ok).toBe(true);
  });

  it('answers 507 “Server storage full” with a Retry-After when the disk cannot take the upload', async () => {
    // A server that takes videos of up to 100 TB: then only the disk can refuse this one.
    const roomy = await startServer({ env: { SHOEBOX_MAX_VIDEO_BYTES: String(100 * 10 ** 12) } });
    const member = await createOwner(roomy.baseUrl, { password: 'a strong owner password' });
    const created = await api<ApiErrorBody>(roomy.baseUrl, 'POST', TUS_ENDPOINT, {
      auth: member.auth,
      headers: {
        origin: roomy.baseUrl,
        'tus-resumable': '1.0.0',
        'upload-length': String(99 * 10 ** 12),
        'upload-metadata': encodeMetadata({ filename: 'huge.mp4', type: 'video/mp4' }),
      },
    });
    const left = await listFiles(`${roomy.dataDir}/uploads`);
    await roomy.close();
    record({
      area: 'disk full',
      did: 'a creation declaring more than the disk has free',
      saw: `${created.status} ${created.body.error.code} “${created.body.error.message}”; uploads left: ${left.length}`,
      ok: created.status === 507 && left.length === 0,
    });
    expect(created.status).toBe(507);
    expect(created.body.error.message).toMatch(/^Server storage full\./);
    expect(Number(created.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(left).toEqual([]);
  });
});
