/**
 * tus expiration, as @tus/file-store does it: an unfinished upload expires a week after its
 * creation (Upload-Expires says when), is answered 410 from then on, and the hourly job deletes
 * it with its record; a recent one is kept and can still be finished. A finished upload's record
 * outlives its file for the HEAD of a client whose last answer was lost, and goes after a week.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TUS_ENDPOINT, UPLOAD_OUTCOME_HEADER } from '../../src/shared/tus';
import { FINISHED_UPLOAD_KEEP_MS, UNFINISHED_UPLOAD_KEEP_MS } from '../../src/server/uploads/tus-server';
import {
  authHeaders,
  bodyOf,
  createOwner,
  encodeMetadata,
  jobsIdle,
  listFiles,
  readCorpusFile,
  startServer,
  type Auth,
  type TestServer,
} from './helpers';

const FILENAME = 'IMG_20180725_163423.jpg';

/** Creates an upload of `bytes` carrying its first `sent` bytes, and answers its URL. */
async function startUpload(baseUrl: string, auth: Auth, bytes: Buffer, sent: number): Promise<URL> {
  const response = await fetch(`${baseUrl}${TUS_ENDPOINT}`, {
    method: 'POST',
    headers: {
      ...authHeaders(auth),
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': encodeMetadata({ filename: FILENAME }),
      'content-type': 'application/offset+octet-stream',
    },
    body: bodyOf(bytes.subarray(0, sent)),
  });
  expect(response.status).toBe(201);
  expect(response.headers.get('upload-offset')).toBe(String(sent));
  // "If the expiration is known at the creation, the Upload-Expires header MUST be included."
  const expires = Date.parse(response.headers.get('upload-expires') ?? '');
  expect(Math.abs(expires - (Date.now() + UNFINISHED_UPLOAD_KEEP_MS))).toBeLessThan(60_000);
  return new URL(response.headers.get('location') ?? '', baseUrl);
}

async function head(url: URL, auth: Auth): Promise<Response> {
  return fetch(url, { method: 'HEAD', headers: { ...authHeaders(auth), 'tus-resumable': '1.0.0' } });
}

/** Moves an upload's creation back in time, as if it had been made `ms` ago. */
async function backdate(uploads: string, id: string, ms: number): Promise<void> {
  const record = path.join(uploads, `${id}.json`);
  const upload = JSON.parse(await fs.readFile(record, 'utf8')) as { creation_date: string };
  upload.creation_date = new Date(Date.now() - ms).toISOString();
  await fs.writeFile(record, JSON.stringify(upload));
}

describe('expiring uploads', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('answers an expired upload 410, deletes it with its record, and keeps the recent ones resumable', async () => {
    const bytes = await readCorpusFile(FILENAME);
    const first = await startServer();
    const owner = await createOwner(first.baseUrl);
    const abandoned = await startUpload(first.baseUrl, owner.auth, bytes, 1000);
    const recent = await startUpload(first.baseUrl, owner.auth, bytes, 2000);
    const uploads = path.join(first.dataDir, 'uploads');
    const abandonedId = path.basename(abandoned.pathname);
    const recentId = path.basename(recent.pathname);
    await backdate(uploads, abandonedId, UNFINISHED_UPLOAD_KEEP_MS + 60_000);

    // Expired, not yet deleted: "The latter one [410 Gone] SHOULD be used if the Server is keeping
    // track of expired uploads."
    expect((await head(abandoned, owner.auth)).status).toBe(410);
    await first.stop();

    // Two hours later the hourly job is due, and the restarted server runs it as it starts.
    const later = (): Date => new Date(Date.now() + 2 * 60 * 60 * 1000);
    server = await startServer({ dataDir: first.dataDir, app: { now: later } });
    await jobsIdle(server);
    const base = new URL(server.baseUrl);
    const at = (url: URL): URL => new URL(url.pathname, base);

    expect((await listFiles(uploads)).sort()).toEqual([recentId, `${recentId}.json`].sort());
    expect((await head(at(abandoned), owner.auth)).status).toBe(404);
    const resumable = await head(at(recent), owner.auth);
    expect(resumable.headers.get('upload-offset')).toBe('2000');

    // The recent one finishes where it stopped.
    const finished = await fetch(at(recent), {
      method: 'PATCH',
      headers: {
        ...authHeaders(owner.auth),
        'tus-resumable': '1.0.0',
        'upload-offset': '2000',
        'content-type': 'application/offset+octet-stream',
      },
      body: bodyOf(bytes.subarray(2000)),
    });
    expect(finished.status).toBe(204);
    expect(finished.headers.get(UPLOAD_OUTCOME_HEADER)).toBe('created');
    expect(await listFiles(uploads)).toEqual([]);
  });

  it('answers a finished upload from its record for a week, then forgets it', async () => {
    const bytes = await readCorpusFile(FILENAME);
    const first = await startServer();
    const owner = await createOwner(first.baseUrl);
    const url = await startUpload(first.baseUrl, owner.auth, bytes, bytes.length - 1);
    const last = await fetch(url, {
      method: 'PATCH',
      headers: {
        ...authHeaders(owner.auth),
        'tus-resumable': '1.0.0',
        'upload-offset': String(bytes.length - 1),
        'content-type': 'application/offset+octet-stream',
      },
      body: bodyOf(bytes.subarray(bytes.length - 1)),
    });
    expect(last.status).toBe(204);
    await first.stop();

    // A day later, restarted: the HEAD still says complete, and which asset it made.
    const dayLater = (): Date => new Date(Date.now() + 25 * 60 * 60 * 1000);
    server = await startServer({ dataDir: first.dataDir, app: { now: dayLater } });
    await jobsIdle(server);
    const again = await head(new URL(url.pathname, server.baseUrl), owner.auth);
    expect(again.status).toBe(200);
    expect(again.headers.get('upload-offset')).toBe(String(bytes.length));
    expect(again.headers.get('shoebox-asset-id')).toBe(last.headers.get('shoebox-asset-id'));
    await server.stop();

    const weekLater = (): Date => new Date(Date.now() + FINISHED_UPLOAD_KEEP_MS + 2 * 60 * 60 * 1000);
    server = await startServer({ dataDir: first.dataDir, app: { now: weekLater } });
    await jobsIdle(server);
    expect((await head(new URL(url.pathname, server.baseUrl), owner.auth)).status).toBe(404);
  });
});
